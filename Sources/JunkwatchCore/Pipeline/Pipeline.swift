public import Foundation
import Synchronization

/// Runs verdicts through the stages after classification: dedupe (the store), fetch, learn (every
/// learner), store and report.
///
/// Each user's verdicts are handled in the order they were submitted; different users' run at
/// the same time, up to ``Settings/usersInFlight``. Submitting waits while
/// ``Settings/queueCapacity`` verdicts are queued or in flight, so reading pauses when the learners
/// fall behind. Every verdict ends as one record per learner, stored in one transaction together
/// with the journal cursor up to which everything is finished (the low-watermark), then reported.
///
/// ```swift
/// let pipeline = Pipeline(fetcher: fetcher, learners: learners, store: ledger, reporter: journal, settings: settings)
/// async let summary = pipeline.run()
/// for verdict in verdicts { await pipeline.submit(verdict) }
/// pipeline.finishInput()
/// print(try await summary)
/// ```
public final class Pipeline: Sendable {
    /// How a pipeline runs.
    public struct Settings: Sendable {
        /// How many users' verdicts are worked on at once.
        public var usersInFlight: Int
        /// How many verdicts may be queued or in flight before submitting waits.
        public var queueCapacity: Int
        /// How many of one user's queued verdicts a worker takes at once, so that their messages
        /// are fetched together (``MessageFetcher/prefetch(_:)``: one `doveadm` run for many).
        public var batch: Int
        /// How failed stages are retried.
        public var retry: RetryPolicy
        /// How far back the store's memory counts: the same verdict for the same message within it
        /// is not sent again. `nil` forgets nothing.
        public var dedupeWindow: TimeInterval?
        /// Sends every verdict to the learners, whatever the store remembers (`replay --force`).
        public var force: Bool
        /// Whether the store's cursor follows the watermark (the service), or is left alone (a replay).
        public var savesCursor: Bool
        /// Whether records carry the time from the log line to the record (following the journal
        /// live); a replay of history leaves it out.
        public var measuresLatency: Bool
        /// Whether a configuration error that is not retried (a wrong password) stops the run after
        /// its records are stored: a replay stops rather than fail every message the same way.
        public var stopsOnConfigurationError: Bool

        /// Creates settings.
        public init(
            usersInFlight: Int = 4,
            queueCapacity: Int = 1000,
            batch: Int = 32,
            retry: RetryPolicy = RetryPolicy(),
            dedupeWindow: TimeInterval? = 30 * 86400,
            force: Bool = false,
            savesCursor: Bool = true,
            measuresLatency: Bool = true,
            stopsOnConfigurationError: Bool = false
        ) {
            precondition(usersInFlight > 0 && queueCapacity > 0 && batch > 0)
            self.usersInFlight = usersInFlight
            self.queueCapacity = queueCapacity
            self.batch = batch
            self.retry = retry
            self.dedupeWindow = dedupeWindow
            self.force = force
            self.savesCursor = savesCursor
            self.measuresLatency = measuresLatency
            self.stopsOnConfigurationError = stopsOnConfigurationError
        }
    }

    /// Something the service shows an administrator while it happens.
    public enum Event: Sendable {
        /// A stage failed and will be retried after `delay`; nothing later is stored as finished
        /// meanwhile for this user.
        case retrying(stage: String, user: String, error: StageError, attempt: Int, delay: Duration)
        /// A stage that was being retried worked again.
        case recovered(stage: String, user: String, attempts: Int)
    }

    /// A verdict with its place in line.
    struct Job: Sendable {
        var verdict: Verdict
        var ticket: Watermark.Ticket
    }

    private struct State: ~Copyable {
        var watermark = Watermark()
        var summary = PipelineSummary()
        var failure: (any Error)?
    }

    private let fetcher: any MessageFetcher
    private let learners: [any Learner]
    private let store: any DecisionStore
    private let reporter: any DecisionReporter
    /// How the pipeline runs.
    public let settings: Settings
    private let events: @Sendable (Event) -> Void
    private let now: @Sendable () -> Date
    private let queue: UserQueue<Job>
    private let state = Mutex(State())
    private let stopping = Atomic<Bool>(false)
    /// Stages that ran out of attempts (a replay's bounded retries) and have not worked since: each
    /// attempt at them is the only one, without a wait, until one works again. A replay with
    /// rspamd down then records its backlog as failed in moments, not attempts × waits apiece.
    private let exhausted = Mutex<Set<String>>([])

    /// Creates a pipeline.
    /// - Parameters:
    ///   - events: told of retries as they happen (for STATUS= and the log); called from any task.
    ///   - now: the clock, for records and the dedupe window.
    public init(
        fetcher: any MessageFetcher,
        learners: [any Learner],
        store: any DecisionStore,
        reporter: any DecisionReporter,
        settings: Settings = Settings(),
        events: @escaping @Sendable (Event) -> Void = { _ in },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        precondition(!learners.isEmpty, "a pipeline needs a learner")
        self.fetcher = fetcher
        self.learners = learners
        self.store = store
        self.reporter = reporter
        self.settings = settings
        self.events = events
        self.now = now
        self.queue = UserQueue(capacity: settings.queueCapacity, batch: settings.batch)
    }

    // MARK: - Input

    /// Queues a verdict, waiting while the queue is full.
    /// - Returns: `false` when the pipeline was stopped or its input finished, and the verdict dropped.
    @discardableResult
    public func submit(_ verdict: Verdict) async -> Bool {
        let job = open(verdict)
        return await queue.submit(job, user: verdict.user)
    }

    /// `submit` for a producer on a thread of its own (a journal scan): blocks the thread while
    /// the queue is full.
    @discardableResult
    public func submitWaiting(_ verdict: Verdict) -> Bool {
        let job = open(verdict)
        return queue.submitWaiting(job, user: verdict.user)
    }

    private func open(_ verdict: Verdict) -> Job {
        let ticket = state.withLock { $0.watermark.open(cursor: verdict.event.cursor) }
        return Job(verdict: verdict, ticket: ticket)
    }

    /// Entries up to and including `cursor` needed no decision: the saved cursor may move past
    /// them once everything before is finished. Call it now and then, not for every entry.
    /// - Throws: the store's error when saving the cursor fails.
    public func pass(cursor: String) throws {
        guard settings.savesCursor else { return }
        try state.withLock { state in
            state.watermark.pass(cursor: cursor)
            if let advanced = state.watermark.takeAdvance() {
                try store.saveCursor(advanced)
            }
        }
    }

    /// No more verdicts will come: ``run()`` returns once the queued ones are done.
    public func finishInput() {
        queue.finish()
    }

    /// Stops: queued verdicts are dropped, retries end, and what a learner is doing right now is
    /// finished and stored. Nothing dropped is stored as done, so the saved cursor stays before it
    /// and the next run does it.
    public func stop() {
        stopping.store(true, ordering: .relaxed)
        queue.stop()
    }

    /// Whether ``stop()`` was called.
    public var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Verdicts queued or in flight.
    public var backlog: Int { queue.count }

    /// The counts so far.
    public var summary: PipelineSummary { state.withLock { $0.summary } }

    // MARK: - Running

    /// Runs the workers until the input is finished and everything queued is done, or the
    /// pipeline is stopped.
    /// - Returns: the counts of the run.
    /// - Throws: the store's error when a record or the cursor cannot be stored: the pipeline
    ///   stops then, since going on would learn without remembering.
    public func run() async throws -> PipelineSummary {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<settings.usersInFlight {
                group.addTask {
                    while let work = await self.queue.take() {
                        await self.process(work.items)
                        self.queue.done(user: work.user, count: work.items.count)
                    }
                }
            }
        }
        return try state.withLock { state in
            if let failure = state.failure { throw failure }
            return state.summary
        }
    }

    private func fail(_ error: any Error) {
        state.withLock { state in
            if state.failure == nil { state.failure = error }
        }
        stop()
    }

    /// Processes one user's verdicts in order, their messages fetched together first. Stopping
    /// leaves the rest unfinished, as if still queued.
    private func process(_ jobs: [Job]) async {
        var prefetched = await prefetch(jobs)
        for job in jobs {
            if isStopping { return }
            let locator = Self.locator(job.verdict)
            await process(job, prefetched: prefetched.removeValue(forKey: locator))
        }
    }

    /// Fetches together the messages of `jobs` that will likely need one: those not all stored as
    /// done, nor already learned the same way. The store is asked again, in order, as each job
    /// is processed; a message fetched here for nothing is only dropped.
    private func prefetch(_ jobs: [Job]) async -> [MessageLocator: FetchResult] {
        guard jobs.count > 1 else { return [:] }
        var locators: [MessageLocator] = []
        do {
            for job in jobs where try !plan(job.verdict).pending.isEmpty {
                locators.append(Self.locator(job.verdict))
            }
        } catch {
            return [:]  // the store's error comes again, and counts, when the job is processed
        }
        guard locators.count > 1 else { return [:] }
        return await fetcher.prefetch(locators)
    }

    /// What the store says of a verdict for each learner, as it stands now.
    private struct Plan {
        /// Learners that have a record of this very entry (done before a crash, or an earlier replay).
        var recorded = 0
        /// Learners to send the message to, and whether it reverses what they learned before.
        var pending: [(learner: any Learner, reversal: Bool)] = []
        /// Learners that learned the same verdict for the message within the dedupe window, and when.
        var repeats: [(learner: String, time: Date)] = []
    }

    /// Dedupe: which learners get `verdict`'s message (all of them with `force`).
    private func plan(_ verdict: Verdict) throws -> Plan {
        var plan = Plan()
        guard !settings.force else {
            plan.pending = learners.map { ($0, false) }
            return plan
        }
        let since = settings.dedupeWindow.map { now().addingTimeInterval(-$0) } ?? .distantPast
        for learner in learners {
            if let cursor = verdict.event.cursor, try store.isRecorded(sourceCursor: cursor, learner: learner.name) {
                plan.recorded += 1
                continue
            }
            switch try store.lastLearn(user: verdict.user, message: verdict.message, learner: learner.name, since: since) {
            case nil: plan.pending.append((learner, false))
            case let prior? where prior.verdict == verdict.kind: plan.repeats.append((learner.name, prior.time))
            case _?: plan.pending.append((learner, true))
            }
        }
        return plan
    }

    private static func locator(_ verdict: Verdict) -> MessageLocator {
        MessageLocator(
            user: verdict.user,
            mailbox: verdict.message.mailbox,
            uid: verdict.message.uid,
            messageID: verdict.message.msgid.isEmpty ? nil : verdict.message.msgid,
            size: verdict.message.size
        )
    }

    /// Dedupe, fetch (unless `prefetched`), learn, store and report one verdict.
    private func process(_ job: Job, prefetched: FetchResult?) async {
        let verdict = job.verdict
        let plan: Plan
        do {
            plan = try self.plan(verdict)
        } catch {
            fail(error)
            return
        }
        var records = plan.repeats.map { repeat_ in
            record(
                verdict,
                learner: repeat_.learner,
                outcome: .alreadyLearned,
                detail: "learned as \(verdict.kind.rawValue) by junkwatch on \(Self.timestamp(repeat_.time)): not sent again"
            )
        }
        var complete = true
        var configurationError: StageError?
        if !plan.pending.isEmpty {
            let learned = await fetchAndLearn(verdict, plan.pending, prefetched: prefetched)
            records += learned.records
            complete = learned.complete
            configurationError = learned.configurationError
        }
        store(records, finishing: complete ? job.ticket : nil, recordedBefore: plan.recorded == learners.count)
        for record in records { await reporter.report(record) }
        // Not fatal: a record not marked is reported once more at the next start, if missing.
        try? store.markReported(records)
        if settings.stopsOnConfigurationError, let configurationError {
            fail(configurationError)
        }
    }

    /// Fetches the message once (unless `prefetched`) and hands it to each pending learner,
    /// retrying as the policy says. `complete` is false when the pipeline stopped before every
    /// learner was done; `configurationError` is a configuration error a stage ended with.
    private func fetchAndLearn(
        _ verdict: Verdict,
        _ pending: [(learner: any Learner, reversal: Bool)],
        prefetched: FetchResult?
    ) async -> (records: [DecisionRecord], complete: Bool, configurationError: StageError?) {
        let locator = Self.locator(verdict)
        let fetched = await retrying(stage: "fetch", user: verdict.user) { () async -> Result<FetchResult, StageError> in
            if let prefetched { return .success(prefetched) }
            do {
                return .success(try await fetcher.fetch(locator, preferring: verdict.kind))
            } catch let error as StageError {
                return .failure(error)
            } catch {
                return .failure(.transient("fetching the message failed: \(error)"))
            }
        }
        let outcomeForAll: (DecisionRecord.Outcome, String)
        switch fetched {
        case nil:
            return ([], false, nil)
        case .failure(let error)?:
            let records = pending.map { entry in
                record(verdict, learner: entry.learner.name, outcome: .failed, detail: "fetching the message: \(error)")
            }
            return (records, true, error.kind == .configuration ? error : nil)
        case .success(.gone(let reason))?:
            outcomeForAll = (.gone, reason)
        case .success(.tooLarge(let size, let limit))?:
            outcomeForAll = (
                .skipped, "too large to learn: \(size) bytes, more than doveadm.max_message_size = \(limit)"
            )
        case .success(.message(let bytes, let mailbox, let uid))?:
            var where_ = ""
            if mailbox != verdict.message.mailbox || uid != verdict.message.uid {
                where_ = " (found in \(StageText.quoted(mailbox)) uid \(uid) by its Message-ID)"
            }
            let outcomes = await withTaskGroup(of: (Int, LearnOutcome?).self) { group in
                for (index, entry) in pending.enumerated() {
                    group.addTask {
                        let outcome = await self.retrying(stage: entry.learner.name, user: verdict.user) {
                            () async -> Result<LearnOutcome, StageError> in
                            let outcome = await entry.learner.learn(
                                bytes,
                                as: verdict.kind,
                                locator: locator,
                                reversal: entry.reversal
                            )
                            if case .failed(let error) = outcome { return .failure(error) }
                            return .success(outcome)
                        }
                        switch outcome {
                        case nil: return (index, nil)
                        case .success(let outcome)?: return (index, outcome)
                        case .failure(let error)?: return (index, .failed(error))
                        }
                    }
                }
                var outcomes = [LearnOutcome?](repeating: nil, count: pending.count)
                for await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes
            }
            var records: [DecisionRecord] = []
            var configurationError: StageError?
            for (index, outcome) in outcomes.enumerated() {
                guard let outcome else { continue }
                if case .failed(let error) = outcome, error.kind == .configuration { configurationError = error }
                records.append(
                    record(
                        verdict,
                        learner: pending[index].learner.name,
                        outcome: outcome.outcome,
                        detail: outcome.reason + where_,
                        reversal: pending[index].reversal
                    )
                )
            }
            return (records, records.count == pending.count, configurationError)
        }
        let records = pending.map { entry in
            record(verdict, learner: entry.learner.name, outcome: outcomeForAll.0, detail: outcomeForAll.1)
        }
        return (records, true, nil)
    }

    /// Runs `attempt` until it succeeds, fails for good, or the pipeline stops (`nil`).
    private func retrying<Value: Sendable>(
        stage: String,
        user: String,
        _ attempt: () async -> Result<Value, StageError>
    ) async -> Result<Value, StageError>? {
        var number = 1
        while true {
            let result = await attempt()
            switch result {
            case .success:
                if number > 1 { events(.recovered(stage: stage, user: user, attempts: number)) }
                exhausted.withLock { _ = $0.remove(stage) }
                return result
            case .failure(let error):
                guard settings.retry.retries(error, afterAttempt: number) else {
                    if error.kind == .transient, settings.retry.attempts != nil {
                        exhausted.withLock { _ = $0.insert(stage) }
                    }
                    return result
                }
                if exhausted.withLock({ $0.contains(stage) }) {
                    return .failure(
                        StageError(error.kind, "\(error.message) (tried once: \(stage) ran out of retries just before)")
                    )
                }
                if isStopping { return nil }
                let delay = settings.retry.delay(afterAttempt: number)
                events(.retrying(stage: stage, user: user, error: error, attempt: number, delay: delay))
                guard await pause(for: delay) else { return nil }
                number += 1
            }
        }
    }

    /// Sleeps for `delay`, waking early when the pipeline stops; `false` if it stopped.
    private func pause(for delay: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: delay)
        while clock.now < deadline {
            if isStopping { return false }
            let step = min(deadline - clock.now, .milliseconds(100))
            try? await Task.sleep(for: step)
        }
        return !isStopping
    }

    /// Stores the records, and the cursor when `ticket` finishes its entry and moves the watermark.
    private func store(_ records: [DecisionRecord], finishing ticket: Watermark.Ticket?, recordedBefore: Bool = false) {
        do {
            try state.withLock { state in
                if let ticket { state.watermark.finish(ticket) }
                let cursor = settings.savesCursor ? state.watermark.takeAdvance() : nil
                if !records.isEmpty {
                    try store.commit(records, cursor: cursor, at: now())
                } else if let cursor {
                    try store.saveCursor(cursor)
                }
                state.summary.add(records, abandoned: ticket == nil, recordedBefore: recordedBefore)
            }
        } catch {
            fail(error)
        }
    }

    private func record(
        _ verdict: Verdict,
        learner: String,
        outcome: DecisionRecord.Outcome,
        detail: String,
        reversal: Bool = false
    ) -> DecisionRecord {
        var record = DecisionRecord(verdict: verdict, learner: learner, outcome: outcome)
        let turn = reversal ? " (a reversal: learned as \(verdict.kind.opposite.rawValue) before)" : ""
        record.reason = detail.isEmpty ? verdict.reason + turn : "\(verdict.reason)\(turn); \(detail)"
        if settings.measuresLatency, let realtime = verdict.event.realtime {
            let seconds = now().timeIntervalSince1970 - Double(realtime) / 1_000_000
            record.latency = max(0, (seconds * 1000).rounded() / 1000)
        }
        return record
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// The counts of a pipeline run.
public struct PipelineSummary: Sendable, Equatable {
    /// Verdicts whose records were stored.
    public var decisions = 0
    /// Records per outcome.
    public var outcomes: [DecisionRecord.Outcome: Int] = [:]
    /// Records per learner and outcome.
    public var byLearner: [String: [DecisionRecord.Outcome: Int]] = [:]
    /// Verdicts left unfinished when the pipeline stopped (the next run does them).
    public var unfinished = 0
    /// Verdicts whose entry the store already had records for: done before (an earlier replay of
    /// the same entries, or a run that crashed before its cursor moved).
    public var recordedBefore = 0

    /// Creates empty counts.
    public init() {}

    /// Records with the outcome `failed`.
    public var failed: Int { outcomes[.failed, default: 0] }

    mutating func add(_ records: [DecisionRecord], abandoned: Bool, recordedBefore: Bool = false) {
        if abandoned {
            unfinished += 1
        } else if recordedBefore {
            self.recordedBefore += 1
        } else {
            decisions += 1
        }
        for record in records {
            guard let outcome = record.outcome else { continue }
            outcomes[outcome, default: 0] += 1
            byLearner[record.learner ?? "", default: [:]][outcome, default: 0] += 1
        }
    }
}
