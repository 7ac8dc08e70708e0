import ArgumentParser
import JunkwatchCore

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count what junkwatch learned, per user and verdict, from its records in the journal.",
        discussion: """
            Every decision junkwatch makes is a record in the journal (SYSLOG_IDENTIFIER=junkwatch, \
            one MESSAGE_ID per outcome). stats reads them back for a time range — the last 7 days \
            unless --since says otherwise — and prints, per user and verdict (ham, spam), how many \
            were learned, already learned, skipped, gone and failed, with the latency from dovecot's \
            log line to the record (50th, 90th, 99th percentile and the maximum). Totals per \
            verdict and per learner follow; then warnings: failed learns, messages journald \
            suppressed from dovecot, a lost cursor, learners junkwatch had to wait for. Nothing \
            found is not an error: stats says where it looked.

            Examples:
              junkwatch stats                                  # the last 7 days, top 20 users
              junkwatch stats --since today --user alice@example.com
              junkwatch stats --since 2026-11-01 --until 2026-11-08 --top 0
              junkwatch stats --format json | jq '.totals'
              junkwatch stats --directory /var/log/journal/remote
              ssh mx2 journalctl -t junkwatch -o export --since -1d | junkwatch stats --since -1d -

            One user's history, record by record:
              journalctl -t junkwatch JUNKWATCH_USER=alice@example.com
            """
    )

    @Argument(
        help: ArgumentHelp(
            "A journalctl -o export or -o json stream: a file, or - for stdin; without it, a journal.",
            valueName: "stream"
        )
    )
    var stream: String?

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: ArgumentHelp("Only this user's records (as dovecot logs the name).", valueName: "user"))
    var user: String?

    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp("Show the N users with the most records; 0 shows all.", valueName: "N")
    )
    var top = 20

    @Option(name: .long, help: "Output: text (an aligned table) or json (one object).")
    var format: OutputFormat = .text

    func validate() throws {
        if top < 0 { throw ValidationError("--top must be 0 (every user) or more, not \(top).") }
    }

    func run() async throws {
        var options = input
        // A week unless told otherwise: enough to see a trend, quick to read.
        if options.since == nil { options.since = "-7d" }
        let (since, until) = try options.bounds()
        let source = try options.input(stream: stream, since: since, until: until)
        let place = describe(source)
        let user = self.user
        let (statistics, unreadable) = try await onThreadOfItsOwn {
            var reader = JournalDecisionReader(input: source, user: user)
            var statistics = DecisionStatistics()
            var read = 0
            try reader.read { item in
                read += 1
                switch item {
                case .record(let record, _): statistics.add(record)
                case .notice(let notice, _): statistics.add(notice)
                }
            }
            return (statistics, reader.entriesRead - read)
        }
        if unreadable > 0 {
            // Entries with junkwatch's name and IDs that are not records: another version's, or forged.
            let entries = unreadable == 1 ? "1 entry" : "\(unreadable) entries"
            let records = unreadable == 1 ? "is not a record" : "are not records"
            printError("junkwatch: \(entries) with junkwatch's MESSAGE_IDs in \(place) \(records) junkwatch can read")
        }
        let report = DecisionStatisticsReport(
            statistics: statistics,
            since: since,
            until: until,
            source: place,
            user: user,
            top: top == 0 ? nil : top
        )
        let output = StandardOutput()
        switch format {
        case .text: output.line(report.text)
        case .json: output.line(report.json)
        }
        output.flush()
    }

    /// Where `source` reads, for people.
    private func describe(_ source: JournalInput) -> String {
        switch source {
        case .journal(let journal, _, _): journal.place
        case .stream: stream == "-" ? "the stream on standard input" : "the stream in \(stream ?? "")"
        case .lines: "plain lines"
        }
    }
}
