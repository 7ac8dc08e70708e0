import ArgumentParser
import JunkwatchCore
import SystemdJournal

struct TestFilterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-filter",
        abstract: "Show what the filters and the classifier make of log lines.",
        discussion: """
            In the spirit of fail2ban-regex: for each line that a rule matches, the rule, the \
            captured fields and the verdict; then a summary of lines read, matches per rule and \
            verdicts.

            Examples:
              journalctl -u dovecot -o cat | junkwatch test-filter -
              junkwatch test-filter /var/log/dovecot.log --show-unmatched
              junkwatch test-filter --directory /var/log/journal/remote --since today
              journalctl -u dovecot -o export | junkwatch test-filter --input-format export -
            """
    )

    @Argument(
        help: ArgumentHelp(
            "A file of log lines, or - for stdin; without it, the journal (--directory, --file, --namespace or the local one).",
            valueName: "lines"
        )
    )
    var lines: String?

    @OptionGroup var configuration: ConfigurationOptions
    @OptionGroup var input: InputOptions

    @Option(name: .long, help: "Output: text or json (one object per matched line, then a summary object).")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Also print the lines no rule matched, with the reason.")
    var showUnmatched = false

    func run() async throws {
        let settings = try configuration.load()
        let filters = try configuration.filterSet(settings)
        let source: JournalInput
        if let lines, input.inputFormat == .auto {
            source = .lines(fileDescriptor: try InputOptions.open(lines))
        } else {
            source = try input.input(stream: lines)
        }
        let format = self.format
        let showUnmatched = self.showUnmatched
        try await onThreadOfItsOwn {
            try Self.scan(
                source,
                filters: filters,
                settings: settings.classify,
                format: format,
                showUnmatched: showUnmatched
            )
        }
    }

    /// Scans `source`, printing what the filters and the classifier made of each line, then the summary.
    static func scan(
        _ source: JournalInput,
        filters: FilterSet,
        settings: Classifier.Settings,
        format: OutputFormat,
        showUnmatched: Bool
    ) throws {
        var classifier = Classifier(settings: settings)
        var summary = FilterSummary()
        let output = StandardOutput()
        var scanner = EntryScanner(input: source, filters: filters, keepLines: true)
        var number = 0
        try scanner.run { scanned in
            number += 1
            switch scanned.outcome {
            case .event(let event):
                let decision = classifier.classify(event)
                summary.count(event, decision)
                output.line(format == .json ? Self.json(number, event, decision) : Self.text(number, event, decision))
            case .unmatched(let reason):
                summary.count(reason)
                if showUnmatched {
                    output.line(
                        format == .json
                            ? JSONObject().number("line", number).string("unmatched", reason.description)
                                .string("text", scanned.line).text
                            : "line \(number): unmatched: \(reason)\n    \(scanned.line ?? "")"
                    )
                }
            }
            return true
        }
        summary.lines = scanner.entriesRead
        output.line(format == .json ? summary.json : summary.text)
        output.flush()
    }

    static func text(_ number: Int, _ event: MailEvent, _ decision: Decision) -> String {
        var fields = "user=\(event.user)"
        if let source = event.source { fields += " source=\(source)" }
        fields += " mailbox=\(event.mailbox)"
        if let uid = event.uid { fields += " uid=\(uid)" }
        if !event.msgid.isEmpty { fields += " msgid=\(event.msgid)" }
        if let size = event.size { fields += " size=\(size)" }
        if let flags = event.flags { fields += " flags=(\(flags.joined(separator: " ")))" }
        let verdict = decision.verdict.map { "\($0.kind.rawValue): \($0.reason)" } ?? "nothing: \(decision.reason)"
        return "line \(number): \(event.filter)/\(event.rule) \(event.service): \(fields)\n    => \(verdict)"
    }

    static func json(_ number: Int, _ event: MailEvent, _ decision: Decision) -> String {
        JSONObject()
            .number("line", number)
            .string("filter", event.filter)
            .string("rule", event.rule)
            .string("event", event.kind.rawValue)
            .string("service", event.service)
            .string("user", event.user)
            .string("source", event.source)
            .string("mailbox", event.mailbox)
            .number("uid", event.uid.map(Int.init))
            .string("msgid", event.msgid)
            .number("size", event.size)
            .strings("flags", event.flags)
            .string("verdict", decision.verdict?.kind.rawValue)
            .string("reason", decision.reason)
            .text
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// What `test-filter` counts.
struct FilterSummary {
    var lines = 0
    var rules: [String: Int] = [:]
    var unmatched: [String: Int] = [:]
    var ham = 0
    var spam = 0
    var nothing = 0

    mutating func count(_ event: MailEvent, _ decision: Decision) {
        rules["\(event.filter)/\(event.rule)", default: 0] += 1
        switch decision.verdict?.kind {
        case .ham: ham += 1
        case .spam: spam += 1
        case nil: nothing += 1
        }
    }

    mutating func count(_ reason: Unmatched) {
        unmatched[reason.description, default: 0] += 1
    }

    var matched: Int { rules.values.reduce(0, +) }

    var text: String {
        var lines = ["", "Lines: \(self.lines) read, \(matched) matched, \(self.lines - matched) unmatched"]
        if !rules.isEmpty {
            lines.append("Matches per rule:")
            for (rule, count) in rules.sorted(by: { $0.key < $1.key }) { lines.append("  \(rule): \(count)") }
        }
        if !unmatched.isEmpty {
            lines.append("Unmatched:")
            for (reason, count) in unmatched.sorted(by: { $0.key < $1.key }) { lines.append("  \(reason): \(count)") }
        }
        lines.append("Verdicts: \(ham) ham, \(spam) spam, \(nothing) nothing")
        return lines.joined(separator: "\n")
    }

    var json: String {
        var rulesObject = JSONObject()
        for (rule, count) in rules.sorted(by: { $0.key < $1.key }) { rulesObject = rulesObject.number(rule, count) }
        var unmatchedObject = JSONObject()
        for (reason, count) in unmatched.sorted(by: { $0.key < $1.key }) {
            unmatchedObject = unmatchedObject.number(reason, count)
        }
        let summary = JSONObject()
            .number("lines", lines)
            .number("matched", matched)
            .raw("rules", rulesObject.text)
            .raw("unmatched", unmatchedObject.text)
            .raw("verdicts", JSONObject().number("ham", ham).number("spam", spam).number("nothing", nothing).text)
        return JSONObject().raw("summary", summary.text).text
    }
}
