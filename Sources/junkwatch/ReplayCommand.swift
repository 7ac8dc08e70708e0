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

    func validate() throws {
        if dryRun && force {
            throw ValidationError("--force relearns, --dry-run learns nothing: use one or the other.")
        }
    }

    func run() async throws {
        let settings = try configuration.load()
        let filters = try configuration.filterSet(settings)
        let source = try input.input(stream: stream)
        let format = self.format
        let narrowing = Narrowing(users: Set(user), mailboxes: Set(mailbox))
        if dryRun {
            let summary = try await onThreadOfItsOwn {
                try Self.replay(source, filters: filters, settings: settings.classify, narrowing: narrowing, format: format)
            }
            printError(summary)
            return
        }
        let learners = try settings.learners(bulk: settings.rspamd.replayBulk)
        let store = try Ledger(directory: settings.state.directory)
        let printer = RecordPrinter(format: format)
        let pipeline = Pipeline(
            fetcher: settings.fetcher(),
            learners: learners,
            store: store,
            reporter: printer,
            settings: Pipeline.Settings(
                usersInFlight: settings.pipeline.usersInFlight,
                queueCapacity: settings.pipeline.queue,
                retry: RetryPolicy(
                    initialDelay: .seconds(settings.pipeline.retryInitial),
                    maximumDelay: .seconds(settings.pipeline.retryMax),
                    attempts: 3
                ),
                dedupeWindow: TimeInterval(settings.state.dedupeDays) * 86400,
                force: force,
                savesCursor: false,
                measuresLatency: false,
                stopsOnConfigurationError: true
            ),
            events: { event in
                if case .retrying(let stage, let user, let error, let attempt, let delay) = event {
                    printError("junkwatch: \(stage) for \(user): \(error); attempt \(attempt) of 3, retrying in \(delay)")
                }
            }
        )
        let learning = Task { try await pipeline.run() }
        let scan: ScanCounts
        do {
            scan = try await onThreadOfItsOwn {
                defer { pipeline.finishInput() }
                return try Self.feed(source, filters: filters, settings: settings.classify, narrowing: narrowing, into: pipeline)
            }
        } catch {
            // What was queued is still learned and recorded; then the scan's error is reported.
            _ = try? await learning.value
            printer.flush()
            throw error
        }
        let summary: PipelineSummary
        do {
            summary = try await learning.value
        } catch let error as StageError {
            printer.flush()
            printError("junkwatch: replay stopped: \(error)")
            throw ExitCode(1)
        }
        printer.flush()
        printError(Self.describe(scan, summary))
        if summary.failed > 0 { throw ExitCode(1) }
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

    /// What a scan read.
    struct ScanCounts: Sendable {
        var entries = 0
        var events = 0
        var verdicts = 0
    }

    /// Scans `source` and submits each verdict to `pipeline`, waiting whenever its queue is full.
    static func feed(
        _ source: JournalInput,
        filters: FilterSet,
        settings: Classifier.Settings,
        narrowing: Narrowing,
        into pipeline: Pipeline
    ) throws -> ScanCounts {
        var classifier = Classifier(settings: settings)
        var scanner = EntryScanner(input: source, filters: filters)
        var counts = ScanCounts()
        try scanner.run { scanned in
            guard case .event(let event) = scanned.outcome else { return true }
            counts.events += 1
            guard case .learn(let verdict) = classifier.classify(event), narrowing.keeps(verdict) else { return true }
            counts.verdicts += 1
            return pipeline.submitWaiting(verdict)
        }
        counts.entries = scanner.entriesRead
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

    /// Scans `source`, printing a record per verdict; returns the summary line.
    static func replay(
        _ source: JournalInput,
        filters: FilterSet,
        settings: Classifier.Settings,
        narrowing: Narrowing,
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
            guard case .learn(let verdict) = classifier.classify(event), narrowing.keeps(verdict) else { return true }
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
