/// `DecisionStatistics` printed for people (an aligned table with totals) or as one JSON object:
/// the output of `junkwatch stats`.
public struct DecisionStatisticsReport: Sendable {
    /// What was counted.
    public var statistics: DecisionStatistics
    /// The start of the range, microseconds since the epoch; `nil` from the beginning.
    public var since: UInt64?
    /// The end of the range; `nil` up to now.
    public var until: UInt64?
    /// Where the records were read, for people: "the local journal".
    public var source: String
    /// The one user asked for, if any.
    public var user: String?
    /// How many users to show at most; `nil` for all.
    public var top: Int?

    /// A report of `statistics` read from `source` between `since` and `until`.
    public init(
        statistics: DecisionStatistics,
        since: UInt64?,
        until: UInt64?,
        source: String,
        user: String? = nil,
        top: Int? = nil
    ) {
        self.statistics = statistics
        self.since = since
        self.until = until
        self.source = source
        self.user = user
        self.top = top
    }

    /// "from 2026-11-14 08:00:00 to now".
    private var range: String {
        let from = since.map { "from " + TimeSpecification.format($0) } ?? "from the beginning"
        let to = until.map { " to " + TimeSpecification.format($0) } ?? " to now"
        return from + to
    }

    // MARK: Text

    /// The report as lines of text, without a trailing newline.
    public var text: String {
        var lines: [String] = []
        // Every record's latency, merged and sorted: once, for the table and the warnings.
        let total = statistics.total
        let whose = user.map { " for \($0)" } ?? ""
        let records = statistics.recordCount
        if records == 0 {
            lines.append("No junkwatch decision records\(whose) \(range) in \(source).")
            lines.append(
                "Looked for SYSLOG_IDENTIFIER=junkwatch with the MESSAGE_ID of learned, already-learned, skipped, "
                    + "gone or failed\(user.map { " and JUNKWATCH_USER=\($0)" } ?? ""); "
                    + "junkwatch writes one per learn while it runs. "
                    + "A wider --since, or --directory for another journal?"
            )
        } else {
            let users = statistics.userCount
            lines.append(
                "junkwatch decisions\(whose) \(range) in \(source): \(PlainText.plural(records, "record")) "
                    + "of \(PlainText.plural(users, "user"))"
            )
            lines.append("")
            lines.append(contentsOf: table(total: total))
        }
        lines.append(contentsOf: warnings(failed: total.counts.failed))
        return lines.joined(separator: "\n")
    }

    private static let header = [
        "VERDICT", "LEARNED", "ALREADY-LEARNED", "SKIPPED", "GONE", "FAILED", "P50", "P90", "P99", "MAX",
    ]

    /// The table: users, a total per verdict and overall (`total`), then a row per learner, all
    /// aligned.
    private func table(total: DecisionStatistics.Row) -> [String] {
        let shown = statistics.userRows(top: top)
        // nil is an empty line; the note on hidden users goes just above the first.
        var rows: [[String]?] = [["USER"] + Self.header]
        for row in shown.rows { rows.append(cells(row.user ?? "", row)) }
        var notes: [String] = []
        if shown.moreUsers > 0 {
            notes.append(
                "... \(PlainText.plural(shown.moreUsers, "more user")) with "
                    + "\(PlainText.plural(shown.moreRecords, "record")) "
                    + "(--top 0 shows every user, --user NAME one)"
            )
        }
        rows.append(nil)
        for row in statistics.verdictTotals { rows.append(cells("TOTAL", row)) }
        rows.append(cells("TOTAL", total, verdict: "all"))
        rows.append(nil)
        rows.append(["LEARNER", ""] + Array(Self.header.dropFirst()))
        for row in statistics.learnerRows {
            rows.append(cells(row.learner.map { $0.isEmpty ? "(none)" : $0 } ?? "", row, verdict: ""))
        }
        // Names and the verdict to the left, numbers to the right.
        return PlainText.table(rows, leftColumns: 2, notes: notes)
    }

    private func cells(_ name: String, _ row: DecisionStatistics.Row, verdict: String? = nil) -> [String] {
        let counts = row.counts
        let latencies = row.latency.map { [$0.p50, $0.p90, $0.p99, $0.max].map(Self.duration) }
        return [
            PlainText.oneLine(name), verdict ?? row.verdict?.rawValue ?? "all",
            String(counts.learned), String(counts.alreadyLearned), String(counts.skipped), String(counts.gone),
            String(counts.failed),
        ] + (latencies ?? ["-", "-", "-", "-"])
    }

    /// What needs the administrator: `failed` learns, suppressed messages, lost history, waits.
    private func warnings(failed: Int) -> [String] {
        var lines: [String] = []
        let since = self.since.map { " --since \"\(TimeSpecification.format($0))\"" } ?? ""
        if failed > 0 {
            lines.append(
                "! \(PlainText.plural(failed, "learn")) failed: journalctl -x -t junkwatch "
                    + "MESSAGE_ID=\(JournalMessageID.failed)\(since) shows why"
            )
        }
        for (unit, count) in statistics.suppressed.sorted(by: { $0.key < $1.key }) {
            lines.append(
                "! journald suppressed \(PlainText.plural(count, "message")) from \(PlainText.oneLine(unit)): "
                    + "moves logged there were never seen "
                    + "(journalctl -x -t junkwatch MESSAGE_ID=\(JournalMessageID.journalSuppressed))"
            )
        }
        if statistics.cursorsLost > 0 {
            lines.append(
                "! the saved journal cursor was lost \(PlainText.plural(statistics.cursorsLost, "time")): history was "
                    + "skipped (journalctl -x -t junkwatch MESSAGE_ID=\(JournalMessageID.cursorLost))"
            )
        }
        for (learner, count) in statistics.transientFailures.sorted(by: { $0.key < $1.key }) {
            lines.append(
                "! \(PlainText.oneLine(learner)) failed for a while \(PlainText.plural(count, "time")) and "
                    + "junkwatch waited (journalctl -x -t junkwatch MESSAGE_ID=\(JournalMessageID.transientFailure))"
            )
        }
        if !lines.isEmpty { lines.insert("", at: 0) }
        return lines
    }

    /// A latency for people: `0.4 ms`, `12 ms`, `3.2 s`, `4 min 10 s`, `2 h 05 min`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 0.01 { return "\((seconds * 10_000).rounded() / 10) ms" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return "\((seconds * 10).rounded() / 10) s" }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        let minutes = Int((seconds / 60).rounded())
        let padded = minutes % 60 < 10 ? "0\(minutes % 60)" : "\(minutes % 60)"
        return "\(minutes / 60) h \(padded) min"
    }

    // MARK: JSON

    /// The report as one JSON object on one line, without a trailing newline.
    ///
    /// Keys: `since`, `until` (microseconds since the epoch, or `null`), `source`, `user`,
    /// `records`, `users`, `rows` (one object per user and verdict: `user`, `verdict`, the five
    /// counts as `learned`, `already_learned`, `skipped`, `gone`, `failed`, `records`, and
    /// `latency` with `p50`, `p90`, `p99`, `max` in seconds, or `null`), `more_users`,
    /// `more_records`, `totals` (per verdict, then `"verdict":"all"`), `learners` (the same with
    /// `learner`), `suppressed` (messages per unit), `cursors_lost`, `transient_failures` (per learner).
    public var json: String {
        let shown = statistics.userRows(top: top)
        var totals = statistics.verdictTotals.map { Self.json($0) }
        totals.append(Self.json(statistics.total, verdict: "all"))
        var suppressed = JSONObject()
        for (unit, count) in statistics.suppressed.sorted(by: { $0.key < $1.key }) {
            suppressed = suppressed.number(unit, count)
        }
        var transient = JSONObject()
        for (learner, count) in statistics.transientFailures.sorted(by: { $0.key < $1.key }) {
            transient = transient.number(learner, count)
        }
        return JSONObject()
            .raw("since", since.map { String($0) })
            .raw("until", until.map { String($0) })
            .string("source", source)
            .string("user", user)
            .number("records", statistics.recordCount)
            .number("users", statistics.userCount)
            .raw("rows", "[" + shown.rows.map { Self.json($0) }.joined(separator: ",") + "]")
            .number("more_users", shown.moreUsers)
            .number("more_records", shown.moreRecords)
            .raw("totals", "[" + totals.joined(separator: ",") + "]")
            .raw("learners", "[" + statistics.learnerRows.map { Self.json($0) }.joined(separator: ",") + "]")
            .raw("suppressed", suppressed.text)
            .number("cursors_lost", statistics.cursorsLost)
            .raw("transient_failures", transient.text)
            .text
    }

    private static func json(_ row: DecisionStatistics.Row, verdict: String? = nil) -> String {
        var object = JSONObject()
        if let user = row.user { object = object.string("user", user) }
        if let learner = row.learner { object = object.string("learner", learner) }
        if row.learner == nil { object = object.string("verdict", verdict ?? row.verdict?.rawValue) }
        let counts = row.counts
        object = object.number("learned", counts.learned)
            .number("already_learned", counts.alreadyLearned)
            .number("skipped", counts.skipped)
            .number("gone", counts.gone)
            .number("failed", counts.failed)
            .number("records", counts.total)
        let latency = row.latency.map { latency in
            JSONObject()
                .raw("p50", JunkwatchField.decimal(seconds: latency.p50))
                .raw("p90", JunkwatchField.decimal(seconds: latency.p90))
                .raw("p99", JunkwatchField.decimal(seconds: latency.p99))
                .raw("max", JunkwatchField.decimal(seconds: latency.max))
                .text
        }
        return object.raw("latency", latency).text
    }
}
