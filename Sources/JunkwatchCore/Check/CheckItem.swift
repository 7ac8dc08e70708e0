/// One finding of `junkwatch check-config`: what was checked, how it went and, when it did not
/// go well, what to do.
public struct CheckItem: Sendable, Equatable {
    /// How a check went.
    public enum Status: String, Sendable, Equatable, CaseIterable {
        /// It works.
        case ok
        /// It works, but something looks wrong: nothing to learn from yet, for instance.
        case warn
        /// It does not work: junkwatch would fail, or learn nothing, until it is fixed.
        case fail
    }

    /// How it went.
    public var status: Status
    /// What was checked: `configuration`, `filter dovecot-mail-log`, `journal`, `doveadm`,
    /// `state directory`, `learner rspamd-bayes`.
    public var subject: String
    /// What was found, naming the file and the key when a setting is at fault.
    public var detail: String
    /// What to do about a warning or a failure.
    public var fix: String?

    /// Creates a finding.
    public init(_ status: Status, _ subject: String, _ detail: String, fix: String? = nil) {
        self.status = status
        self.subject = subject
        self.detail = detail
        self.fix = fix
    }
}

extension [CheckItem] {
    /// The findings as text: one line per finding, `ok`, `warn` or `FAIL`, the subject and what
    /// was found, then the fix indented on the next line; a count at the end.
    public var text: String {
        let width = map(\.subject.count).max() ?? 0
        var lines: [String] = []
        for item in self {
            let status = item.status == .fail ? "FAIL" : item.status.rawValue
            let padding = String(repeating: " ", count: width - item.subject.count)
            lines.append(status.padding(to: 4) + "  " + item.subject + padding + "  " + item.detail)
            if let fix = item.fix {
                lines.append(String(repeating: " ", count: 6 + width + 2) + "fix: " + fix)
            }
        }
        let failed = count { $0.status == .fail }
        let warnings = count { $0.status == .warn }
        lines.append("")
        lines.append(
            failed == 0
                ? "junkwatch: all \(count) checks passed" + (warnings > 0 ? ", \(warnings) with a warning" : "")
                : "junkwatch: \(failed) of \(count) checks failed" + (warnings > 0 ? ", \(warnings) warned" : "")
        )
        return lines.joined(separator: "\n")
    }

    /// The findings as one JSON object: `ok` (no failure), `checks` (one object per finding:
    /// `status`, `subject`, `detail`, `fix`), then the counts `passed`, `warnings`, `failed`.
    public var json: String {
        let items = map { item in
            JSONObject()
                .string("status", item.status.rawValue)
                .string("subject", item.subject)
                .string("detail", item.detail)
                .string("fix", item.fix)
                .text
        }
        let failed = count { $0.status == .fail }
        return JSONObject()
            .raw("ok", failed == 0 ? "true" : "false")
            .raw("checks", "[" + items.joined(separator: ",") + "]")
            .number("passed", count { $0.status == .ok })
            .number("warnings", count { $0.status == .warn })
            .number("failed", failed)
            .text
    }

    /// Whether nothing failed (warnings pass).
    public var passed: Bool { !contains { $0.status == .fail } }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
