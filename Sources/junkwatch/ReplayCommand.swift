import ArgumentParser
import Foundation
import JunkwatchCore
import SystemdJournal

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run junkwatch over a stretch of journal history.",
        discussion: """
            Reads dovecot's entries from the local journal (--since/--until), a directory or \
            files of journal, or a `journalctl -o export` or `-o json` stream on stdin (-); \
            fetches each message a user moved into or out of Junk with doveadm and teaches it to \
            the configured learners (rspamd Bayes per user, rspamd fuzzy, SpamAssassin). It prints \
            one decision record per learner and action: learned, already-learned, skipped, gone or \
            failed. With --dry-run it only decides: nothing is fetched, learned or written.

            A replay reads and updates the same ledger as the service (in the state directory), so \
            replaying twice learns nothing twice, while what failed is tried again; --force sends \
            everything again. It never moves the service's journal cursor. Transient failures \
            (rspamd down) are retried a few times and then recorded as failed, the following \
            messages with one attempt each until the learner answers again; a wrong password stops \
            the replay.

            Records go to standard output; everything else to standard error: on a terminal, a \
            progress line (entries read, decisions, learned, entries per second and an ETA from \
            the time of the entry being read), and at the end a table of decisions and outcomes \
            per user (the --top users with the most) and per learner, then a summary line.

            Exit status: 0 when nothing failed; 1 when a learn failed (the records say why) or the \
            replay could not run; 64 for a usage error.

            Examples:
              junkwatch replay --dry-run --since -7d
              junkwatch replay --since 2026-11-01 --until yesterday
              junkwatch replay --dry-run --directory /var/log/journal/remote --format json
              journalctl -u dovecot --since yesterday -o export | junkwatch replay -
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

    @Flag(name: .long, help: "Learn again what the ledger says was learned already.")
    var force = false

    @Option(name: .long, help: ArgumentHelp("Only this user's actions; repeatable.", valueName: "user"))
    var user: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Only actions that put a message into this mailbox; repeatable.", valueName: "mailbox")
    )
    var mailbox: [String] = []

    @Option(name: .long, help: "Output: text, or json (one decision record per line, snake_case keys).")
    var format: OutputFormat = .text

    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp("The summary table shows the N users with the most decisions; 0 shows all.", valueName: "N")
    )
    var top = 10

    func validate() throws {
        if dryRun && force {
            throw ValidationError("--force relearns, --dry-run learns nothing: use one or the other.")
        }
        if top < 0 { throw ValidationError("--top must be 0 (every user) or more, not \(top).") }
    }

    /// How many times a replay tries a stage before it records the failure.
    static let attempts = 3

    func run() async throws {
        let settings = try configuration.load()
        let filters = try configuration.filterSet(settings)
        let source = try input.input(stream: stream)
        let format = self.format
        let narrowing = Narrowing(users: Set(user), mailboxes: Set(mailbox))
        let top = self.top == 0 ? nil : self.top
        let progress = ReplayProgress()
        // The bar is for people watching; off a terminal only the summary is printed.
        let line = ProgressLine.wanted ? ProgressLine(progress: progress, dryRun: dryRun) : nil
        // Records on the same terminal go above the line, which clears itself for them.
        let around: (@Sendable (() -> Void) -> Void)? =
            if let line, isatty(STDOUT_FILENO) == 1 { { write in line.aside(write) } } else { nil }
        // A dry run prints its records as the scan decides; a learning run hands the decisions
        // to the pipeline, whose reporter prints the records.
        let learning =
            dryRun ? nil : try prepareLearning(settings, format: format, progress: progress, line: line, around: around)
        let learned = learning.map { learning in Task { try await learning.pipeline.run() } }
        let scanned: Result<ScanCounts, any Error>
        do {
            scanned = .success(
                try await onThreadOfItsOwn {
                    defer { learning?.pipeline.finishInput() }
                    line?.start(span: ReplayProgress.Span(of: source, match: filters.journalMatch))
                    if let pipeline = learning?.pipeline {
                        return try Self.scan(
                            source,
                            filters: filters,
                            settings: settings.classify,
                            narrowing: narrowing,
                            progress: progress,
                            pipeline.submitWaiting
                        )
                    }
                    return try Self.replay(
                        source,
                        filters: filters,
                        settings: settings.classify,
                        narrowing: narrowing,
                        format: format,
                        progress: progress,
                        around: around
                    )
                }
            )
        } catch {
            scanned = .failure(error)
        }
        // What was queued is still learned and recorded, also when the scan failed; then the
        // scan's error is reported.
        let result = await learned?.result
        await line?.finish()
        learning?.printer.flush()
        var scan = try scanned.get()
        guard let result, let learning else {
            Self.printSummary(scan.tally.table(top: top, outcomes: false))
            printError(
                "junkwatch: read \(scan.entries) entries: \(scan.events) mail events, "
                    + "\(scan.ham) ham and \(scan.spam) spam decisions (dry run)"
            )
            return
        }
        let summary: PipelineSummary
        do {
            summary = try result.get()
        } catch let error as StageError {
            printError("junkwatch: replay stopped: \(error)")
            throw ExitCode(1)
        }
        scan.tally.merge(learning.printer.tally)
        Self.printSummary(scan.tally.table(top: top, outcomes: true))
        printError(Self.describe(scan, summary))
        if summary.failed > 0 { throw ExitCode(1) }
    }

    /// The learning side of a replay: the pipeline, and the reporter that prints its records.
    struct Learning: Sendable {
        var pipeline: Pipeline
        var printer: RecordPrinter
    }

    /// The pipeline that learns what the scan decides: the configured learners and ledger, a
    /// few attempts per stage, the service's cursor left alone.
    private func prepareLearning(
        _ settings: Configuration,
        format: OutputFormat,
        progress: ReplayProgress,
        line: ProgressLine?,
        around: (@Sendable (() -> Void) -> Void)?
    ) throws -> Learning {
        let learners = try settings.learners(bulk: settings.rspamd.replayBulk)
        let store = try Ledger(directory: settings.state.directory)
        let printer = RecordPrinter(format: format, progress: progress, around: around)
        var pipelineSettings = settings.pipelineSettings()
        pipelineSettings.retry.attempts = Self.attempts
        pipelineSettings.force = force
        pipelineSettings.savesCursor = false
        pipelineSettings.measuresLatency = false
        pipelineSettings.stopsOnConfigurationError = true
        let attempts = pipelineSettings.retry.attempts.map { " of \($0)" } ?? ""
        let pipeline = Pipeline(
            fetcher: settings.fetcher(),
            learners: learners,
            store: store,
            reporter: printer,
            settings: pipelineSettings,
            events: { event in
                if case .retrying(let stage, let user, let error, let attempt, let delay) = event {
                    let text =
                        "junkwatch: \(stage) for \(user): \(error); attempt \(attempt)\(attempts), retrying in \(delay)"
                    if let line { line.print(text) } else { printError(text) }
                }
            }
        )
        return Learning(pipeline: pipeline, printer: printer)
    }

    /// The summary table on standard error, set off by a blank line; nothing when it is empty.
    static func printSummary(_ table: String) {
        guard !table.isEmpty else { return }
        printError("\n" + table + "\n")
    }

    /// Which verdicts `--user` and `--mailbox` keep.
    struct Narrowing: Sendable {
        var users: Set<String>
        var mailboxes: Set<String>

        func keeps(_ verdict: Verdict) -> Bool {
            (users.isEmpty || users.contains(verdict.user))
                && (mailboxes.isEmpty || mailboxes.contains(verdict.message.mailbox))
        }
    }

    /// What a scan read and decided.
    struct ScanCounts: Sendable {
        var entries = 0
        var events = 0
        var ham = 0
        var spam = 0
        /// Decisions per user.
        var tally = ReplayTally()

        /// Decisions: ham and spam.
        var verdicts: Int { ham + spam }
    }

    /// Scans `source`, counting entries, events and the decisions `narrowing` keeps, and hands
    /// each such decision to `decided`, which returns `false` to stop.
    static func scan(
        _ source: JournalInput,
        filters: FilterSet,
        settings: Classifier.Settings,
        narrowing: Narrowing,
        progress: ReplayProgress,
        _ decided: (Verdict) -> Bool
    ) throws -> ScanCounts {
        var classifier = Classifier(settings: settings)
        var scanner = EntryScanner(input: source, filters: filters)
        var counts = ScanCounts()
        var counter = DecisionCounter()
        var read = 0
        try scanner.run { scanned in
            read += 1
            progress.read(read, realtime: scanned.realtime)
            guard case .event(let event) = scanned.outcome else { return true }
            counts.events += 1
            guard case .learn(let verdict) = classifier.classify(event), narrowing.keeps(verdict) else { return true }
            switch verdict.kind {
            case .ham: counts.ham += 1
            case .spam: counts.spam += 1
            }
            counter.add(verdict)
            progress.decided(counts.verdicts)
            return decided(verdict)
        }
        counts.entries = scanner.entriesRead
        counts.tally = counter.finish()
        return counts
    }

    /// The closing line on standard error.
    static func describe(_ counts: ScanCounts, _ summary: PipelineSummary) -> String {
        let outcomes = DecisionRecord.Outcome.allCases.compactMap { outcome -> String? in
            guard let count = summary.outcomes[outcome], count > 0 else { return nil }
            return "\(count) \(outcome.rawValue)"
        }
        var text = "junkwatch: read \(counts.entries) entries: \(counts.events) mail events, \(counts.verdicts) decisions; "
        text += outcomes.isEmpty ? "nothing learned" : outcomes.joined(separator: ", ")
        if summary.recordedBefore > 0 {
            text += "; \(summary.recordedBefore) decisions were recorded in the ledger before (--force learns them again)"
        }
        return text
    }

    /// Scans `source`, printing a record per verdict (a dry run).
    static func replay(
        _ source: JournalInput,
        filters: FilterSet,
        settings: Classifier.Settings,
        narrowing: Narrowing,
        format: OutputFormat,
        progress: ReplayProgress,
        around: (@Sendable (() -> Void) -> Void)?
    ) throws -> ScanCounts {
        let output = StandardOutput()
        output.around = around
        defer { output.flush() }
        return try scan(source, filters: filters, settings: settings, narrowing: narrowing, progress: progress) {
            verdict in
            switch format {
            case .text: output.line { DecisionRecord.appendText(of: verdict, to: &$0) }
            case .json: output.line { DecisionRecord.appendJSONLine(of: verdict, to: &$0) }
            }
            return true
        }
    }
}
