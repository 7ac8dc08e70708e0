import Foundation
public import Logging
public import ServiceLifecycle
public import SystemdJournal
import Synchronization
import UnixSignals

/// `junkwatch run`: follows the journal and learns, until SIGTERM; reloads on SIGHUP.
///
/// One run of the pipeline with one configuration is a generation. SIGHUP loads the configuration
/// and filters again: when they are good, the generation stops the way SIGTERM stops it (what a
/// learner is doing is finished and stored; what was queued is read again) and a new one starts
/// from the saved cursor; when they are not, the error is logged and the old generation goes on.
public struct JunkwatchService: Service {
    /// A configuration with its filters and learners, each checked as it was made: a reload
    /// that cannot make them keeps the old generation.
    public struct Setup: Sendable {
        /// The settings.
        public var configuration: Configuration
        /// The filters they enable.
        public var filters: FilterSet
        /// The learners they enable (``Configuration/learners(bulk:)``).
        public var learners: [any Learner]

        /// Creates a setup.
        public init(configuration: Configuration, filters: FilterSet, learners: [any Learner]) {
            self.configuration = configuration
            self.filters = filters
            self.learners = learners
        }
    }

    /// Loads the configuration and filters (at start and on SIGHUP).
    public typealias Loader = @Sendable () throws -> Setup
    /// Opens the store a configuration names (the ledger in its state directory).
    public typealias StoreOpener = @Sendable (Configuration) throws -> any DecisionStore

    private let load: Loader
    private let openStore: StoreOpener
    private let start: Configuration.Journal.Start?
    private let reporter: any DecisionReporter
    private let notices: any ServiceNoticeSink
    private let notifier: SystemdNotifier
    private let logger: Logger
    /// How long a stop may take to finish what learners are doing.
    private let stopTimeout: Duration

    /// Creates the service.
    /// - Parameters:
    ///   - start: where to start without a saved cursor, overriding `journal.from` (`--from`).
    public init(
        load: @escaping Loader,
        openStore: @escaping StoreOpener,
        start: Configuration.Journal.Start? = nil,
        reporter: any DecisionReporter,
        notices: any ServiceNoticeSink,
        notifier: SystemdNotifier = SystemdNotifier(),
        logger: Logger,
        stopTimeout: Duration = .seconds(20)
    ) {
        self.load = load
        self.openStore = openStore
        self.start = start
        self.reporter = reporter
        self.notices = notices
        self.notifier = notifier
        self.logger = logger
        self.stopTimeout = stopTimeout
    }

    private enum End: Sendable {
        case shutdown
        case reload(Setup)
    }

    /// Runs generations until a graceful shutdown.
    public func run() async throws {
        var setup = try load()
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let reloads = ReloadRequests()
        let watcher = Task {
            for await _ in hangups { reloads.request() }
        }
        defer { watcher.cancel() }
        var first = true
        while true {
            if !first { notifier.reloading() }
            first = false
            switch try await generation(setup, reloads: reloads) {
            case .shutdown:
                return
            case .reload(let next):
                setup = next
                logger.info("configuration reloaded")
            }
        }
    }

    /// One generation: open, check, follow until shutdown or a good reload.
    private func generation(_ setup: Setup, reloads: ReloadRequests) async throws -> End {
        let configuration = setup.configuration
        let learners = setup.learners
        var settings = configuration.pipelineSettings()
        // A wrong password waits for the administrator to fix it and reload: nothing is lost.
        settings.retry.retriesConfigurationErrors = true
        let store = try openStore(configuration)
        let window = settings.dedupeWindow
        prune(store, window: window)
        await reportUnreported(store)
        notifier.status("checking the learners")
        await checkLearners(learners)
        let waits = LockedText()
        let notices = self.notices
        let logger = self.logger
        let pipeline = Pipeline(
            fetcher: configuration.fetcher(),
            learners: learners,
            store: store,
            reporter: reporter,
            settings: settings,
            events: { event in
                switch event {
                case .retrying(let stage, let user, let error, let attempt, let delay):
                    waits.set("waiting for \(stage): \(error.message); retry \(attempt) in \(delay)")
                    // The first failure, then at doubling intervals: loud without flooding.
                    if attempt & (attempt - 1) == 0 {
                        notices.notice(.transientFailure(learner: stage, reason: error.description, retryIn: delay, user: user))
                    }
                case .recovered(let stage, let user, let attempts):
                    waits.set(nil)
                    logger.notice(
                        "\(stage) works again after \(attempts) attempts",
                        metadata: ["user": .string(user), "learner": .string(stage)]
                    )
                }
            }
        )
        let follower = JournalFollower(
            source: configuration.journal.source,
            filters: setup.filters,
            classify: configuration.classify,
            start: start ?? configuration.journal.start,
            pipeline: pipeline,
            store: store,
            notices: notices
        )
        let learning = Task { try await pipeline.run() }
        // A close() that ended the last generation's wait must not end this one's at once.
        reloads.open()
        let load = self.load
        let notifier = self.notifier
        let end: Result<End, any Error> = await withGracefulShutdownHandler {
            await withTaskGroup(of: Result<End, any Error>?.self) { group in
                group.addTask {
                    do {
                        try await follower.run {
                            notifier.ready(status: "following the journal")
                            logger.info(
                                "following the journal",
                                metadata: [
                                    "learners": .string(learners.map(\.name).joined(separator: ",")),
                                    "users_in_flight": .stringConvertible(configuration.pipeline.usersInFlight),
                                ]
                            )
                        }
                        return .success(.shutdown)
                    } catch {
                        return .failure(error)
                    }
                }
                group.addTask {
                    while let _ = await reloads.next() {
                        do {
                            return .success(.reload(try load()))
                        } catch {
                            logger.error("reload failed, going on with the old configuration: \(error)")
                            notifier.status("reload failed, old configuration kept: \(error)")
                        }
                    }
                    return nil
                }
                group.addTask {
                    await Self.tick(follower: follower, pipeline: pipeline, waits: waits, notifier: notifier)
                    return nil
                }
                group.addTask {
                    // The ledger only needs the dedupe window: prune it once an hour.
                    while (try? await Task.sleep(for: .seconds(3600))) != nil {
                        self.prune(store, window: window)
                    }
                    return nil
                }
                var end: Result<End, any Error> = .success(.shutdown)
                if let first = await group.next(), let first { end = first }
                // The follower may wait for room in the queue: stopping the pipeline frees it.
                follower.stop()
                pipeline.stop()
                reloads.close()
                group.cancelAll()
                return end
            }
        } onGracefulShutdown: {
            follower.stop()
            pipeline.stop()
            reloads.close()
        }
        if case .success(.shutdown) = end {
            notifier.stopping(status: "finishing what the learners are doing")
        }
        pipeline.stop()
        if await !Self.finish(learning, within: stopTimeout) {
            logger.warning("learners still busy after \(stopTimeout): stopping anyway; the next start redoes their work")
        }
        let summary = try? await learning.value
        if let summary {
            logger.info(
                "stopped",
                metadata: [
                    "decisions": .stringConvertible(summary.decisions),
                    "unfinished": .stringConvertible(summary.unfinished),
                ]
            )
        }
        switch end {
        case .success(let end): return end
        case .failure(let error): throw error
        }
    }

    /// Writes the records a kill kept from the journal: committed, but not marked reported. A
    /// record that did reach the journal (the kill came after it) is only marked.
    private func reportUnreported(_ store: any DecisionStore) async {
        do {
            let records = try store.unreported()
            guard !records.isEmpty else { return }
            // One reader for them all; without one, every record counts as missing.
            let journal = try? JournalReader(.local)
            var written = 0
            for record in records where !Self.isInJournal(record, journal) {
                await reporter.report(record)
                written += 1
            }
            try store.markReported(records)
            if written > 0 {
                logger.notice("wrote \(written) decision records that a stop before the journal had kept back")
            }
        } catch {
            logger.warning("cannot look for decision records missing from the journal: \(error)")
        }
    }

    /// Whether junkwatch's record for this entry and learner is in the journal `reader` reads.
    static func isInJournal(_ record: DecisionRecord, _ reader: JournalReader?) -> Bool {
        guard let reader, let cursor = record.sourceCursor else { return false }
        do {
            reader.flushMatches()
            try reader.addMatch("SYSLOG_IDENTIFIER=junkwatch")
            try reader.addMatch("JUNKWATCH_SOURCE_CURSOR=\(cursor)")
            if let learner = record.learner { try reader.addMatch("JUNKWATCH_LEARNER=\(learner)") }
            try reader.seekHead()
            return try reader.next()
        } catch {
            return false
        }
    }

    /// Deletes ledger rows older than the dedupe window (they can no longer stop a duplicate);
    /// without a window, nothing is forgotten.
    private func prune(_ store: any DecisionStore, window: TimeInterval?) {
        guard let window else { return }
        do {
            let removed = try store.prune(before: Date().addingTimeInterval(-window))
            if removed > 0 { logger.info("pruned \(removed) ledger rows older than the dedupe window") }
        } catch {
            logger.warning("cannot prune the ledger: \(error)")
        }
    }

    /// Asks each learner whether it can work; waits up to half a minute for them to answer, so
    /// that READY means ready, then goes on regardless: a learner that is down is retried.
    private func checkLearners(_ learners: [any Learner]) async {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        var pending = learners
        while !pending.isEmpty {
            var failing: [(any Learner, StageError)] = []
            for learner in pending {
                if let problem = await learner.check() { failing.append((learner, problem)) }
            }
            if failing.isEmpty { return }
            let names = failing.map { "\($0.0.name): \($0.1)" }.joined(separator: "; ")
            if clock.now >= deadline || Task.isCancelled {
                logger.warning("starting although a learner does not answer (its learns wait and retry): \(names)")
                return
            }
            notifier.status("waiting for \(names)")
            logger.warning("waiting for a learner: \(names)")
            try? await Task.sleep(for: .seconds(2))
            pending = failing.map(\.0)
        }
    }

    /// WATCHDOG=1 while the reading loop comes round (or waits for the learners), and STATUS=.
    private static func tick(
        follower: JournalFollower,
        pipeline: Pipeline,
        waits: LockedText,
        notifier: SystemdNotifier
    ) async {
        let watchdog = notifier.watchdogInterval
        var tick = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let (heartbeat, activity) = follower.liveness
            if let watchdog, activity == .waitingForRoom || ContinuousClock.now - heartbeat < watchdog / 2 {
                notifier.watchdog()
            }
            tick += 1
            if tick % 5 == 1 {
                notifier.status(Self.status(follower.counts, pipeline.summary, backlog: pipeline.backlog, wait: waits.value))
            }
        }
    }

    /// The STATUS= line: what was read and learned, and what it waits for.
    static func status(_ counts: JournalFollower.Counts, _ summary: PipelineSummary, backlog: Int, wait: String?) -> String {
        var text = "\(counts.entries) entries, \(counts.verdicts) decisions: "
        text += "\(summary.outcomes[.learned, default: 0]) learned, "
        text += "\(summary.outcomes[.alreadyLearned, default: 0]) already learned, "
        text += "\(summary.failed) failed"
        if backlog > 0 { text += "; \(backlog) queued" }
        if counts.suppressed > 0 { text += "; journald dropped \(counts.suppressed) messages" }
        if let wait { text += "; \(wait)" }
        return text
    }

    /// Waits for `task` up to `timeout`; `false` if it was still running.
    private static func finish<Value: Sendable>(_ task: Task<Value, any Error>, within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try? await task.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}

/// SIGHUPs waiting to be handled, as an async sequence one generation at a time reads.
final class ReloadRequests: Sendable {
    private let state = Mutex<(pending: Int, closed: Bool, waiter: CheckedContinuation<Bool, Never>?)>((0, false, nil))

    /// A SIGHUP arrived.
    func request() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending += 1
            return nil
        }
        waiter?.resume(returning: true)
    }

    /// A new generation waits: forgets a close() of the last one that no wait consumed.
    func open() {
        state.withLock { $0.closed = false }
    }

    /// Ends the current wait (the generation is over); the next generation opens it again.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: false)
    }

    /// The next request; `nil` once closed.
    func next() async -> Void? {
        let got = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let now = state.withLock { state -> Bool? in
                if state.closed {
                    state.closed = false
                    return false
                }
                if state.pending > 0 {
                    state.pending -= 1
                    return true
                }
                state.waiter = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
        return got ? () : nil
    }
}

/// A line of text several tasks set and read.
final class LockedText: Sendable {
    private let text = Mutex<String?>(nil)

    var value: String? { text.withLock { $0 } }

    func set(_ value: String?) {
        text.withLock { $0 = value }
    }
}
