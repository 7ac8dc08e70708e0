import ArgumentParser
import JunkwatchCore
import SystemdJournal

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run junkwatch over a stretch of journal history.",
        discussion: """
            Reads dovecot's entries from the local journal (--since/--until), a directory or \
            files of journal, or a `journalctl -o export` or `-o json` stream on stdin (-), and \
            prints one decision record per action a user took: what junkwatch learns, or with \
            --dry-run would learn.

            Examples:
              junkwatch replay --dry-run --since -7d
              junkwatch replay --dry-run --directory /var/log/journal/remote --format json
              journalctl -u dovecot --since yesterday -o export | junkwatch replay --dry-run -
            """
    )

    @Argument(
        help: ArgumentHelp(
            "A journalctl -o export or -o json stream: a file, or - for stdin; without it, a journal.",
            valueName: "stream"
        )
    )
    var stream: String?

    @OptionGroup var configuration: ConfigurationOptions
    @OptionGroup var input: InputOptions

    @Flag(name: .long, help: "Decide, but fetch nothing, learn nothing and write no state.")
    var dryRun = false

    @Option(name: .long, help: "Output: text, or json (one decision record per line, snake_case keys).")
    var format: OutputFormat = .text

    func validate() throws {
        if !dryRun {
            throw ValidationError(
                "This build of junkwatch only decides: add --dry-run (fetching and learning come with the learners)."
            )
        }
    }

    func run() async throws {
        let settings = try configuration.load()
        let filters = try configuration.filterSet(settings)
        let source = try input.input(stream: stream)
        let format = self.format
        let summary = try await onThreadOfItsOwn {
            try Self.replay(source, filters: filters, settings: settings.classify, format: format)
        }
        printError(summary)
    }

    /// Scans `source`, printing a record per verdict; returns the summary line.
    static func replay(
        _ source: JournalInput,
        filters: FilterSet,
        settings: Classifier.Settings,
        format: OutputFormat
    ) throws -> String {
        var classifier = Classifier(settings: settings)
        let output = StandardOutput()
        var scanner = EntryScanner(input: source, filters: filters)
        var events = 0
        var ham = 0
        var spam = 0
        try scanner.run { scanned in
            guard case .event(let event) = scanned.outcome else { return true }
            events += 1
            guard case .learn(let verdict) = classifier.classify(event) else { return true }
            switch verdict.kind {
            case .ham: ham += 1
            case .spam: spam += 1
            }
            switch format {
            case .text: output.line { DecisionRecord.appendText(of: verdict, to: &$0) }
            case .json: output.line { DecisionRecord.appendJSONLine(of: verdict, to: &$0) }
            }
            return true
        }
        output.flush()
        return "junkwatch: read \(scanner.entriesRead) entries: \(events) mail events, "
            + "\(ham) ham and \(spam) spam decisions (dry run)"
    }
}
