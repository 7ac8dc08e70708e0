import Foundation
public import SystemdJournal
import Synchronization

/// Follows a journal with the filters' match, turning new entries into verdicts for a pipeline,
/// and passing the cursor of entries that need nothing.
///
/// Where it starts: after the store's saved cursor; when that entry is gone (vacuumed, another
/// journal's cursor) at the oldest entry still there, with a ``JournalNotice/cursorLost(savedCursor:resumedRealtime:)``;
/// without a saved cursor at ``Configuration/Journal/start`` (the tail by default).
public final class JournalFollower: Sendable {
    /// What the follower has seen, for STATUS= and tests.
    public struct Counts: Sendable, Equatable {
        /// Entries read.
        public var entries = 0
        /// Mail events among them.
        public var events = 0
        /// Verdicts handed to the pipeline.
        public var verdicts = 0
        /// Messages journald said it dropped from watched units.
        public var suppressed = 0
    }

    /// What the follower is doing, for the watchdog.
    public enum Activity: Int, Sendable {
        /// Reading entries, or waiting for new ones: alive as long as it keeps coming back.
        case reading
        /// Waiting for room in the pipeline's queue: the learners are behind or retrying.
        case waitingForRoom
    }

    /// journald's "Suppressed N messages from UNIT" entry (`SD_MESSAGE_JOURNAL_DROPPED`).
    static let droppedMessageID = "a596d6fe7bfa4994828e72309e95d61e"

    private let source: JournalReader.Source
    private let filters: FilterSet
    private let classify: Classifier.Settings
    private let start: Configuration.Journal.Start
    private let pipeline: Pipeline
    private let store: any DecisionStore
    private let notices: any ServiceNoticeSink
    private let state = Mutex((counts: Counts(), heartbeat: ContinuousClock.now, activity: Activity.reading))
    private let stopping = Atomic<Bool>(false)

    /// Creates a follower; nothing is opened until ``run()``.
    public init(
        source: JournalReader.Source,
        filters: FilterSet,
        classify: Classifier.Settings,
        start: Configuration.Journal.Start,
        pipeline: Pipeline,
        store: any DecisionStore,
        notices: any ServiceNoticeSink
    ) {
        self.source = source
        self.filters = filters
        self.classify = classify
        self.start = start
        self.pipeline = pipeline
        self.store = store
        self.notices = notices
    }

    /// The counts so far.
    public var counts: Counts { state.withLock { $0.counts } }

    /// When the reading loop last came round, and what it is doing.
    public var liveness: (heartbeat: ContinuousClock.Instant, activity: Activity) {
        state.withLock { ($0.heartbeat, $0.activity) }
    }

    /// Ends ``run()`` at the next entry or wake-up.
    public func stop() {
        stopping.store(true, ordering: .relaxed)
    }

    /// The units whose dropped messages matter: the `_SYSTEMD_UNIT` values of the filters' match.
    static func watchedUnits(_ filters: FilterSet) -> [String] {
        var units: [String] = []
        for group in filters.journalMatch.groups {
            for term in group where term.hasPrefix("_SYSTEMD_UNIT=") {
                let unit = String(term.dropFirst("_SYSTEMD_UNIT=".count))
                if !units.contains(unit) { units.append(unit) }
            }
        }
        return units
    }

    /// The reader's match: the filters' groups, and journald's drop notices about watched units.
    static func match(_ filters: FilterSet) throws -> JournalMatch {
        let base = filters.journalMatch
        if base.groups.isEmpty { return base }
        var groups = base.groups
        for unit in watchedUnits(filters) {
            groups.append(["MESSAGE_ID=\(droppedMessageID)", "OBJECT_SYSTEMD_UNIT=\(unit)"])
        }
        return try JournalMatch(groups)
    }

    /// Opens the journal, positions it, and follows it until ``stop()`` or cancellation.
    /// - Parameter opened: called once the journal is open and positioned.
    /// - Throws: a `JournalError` when the journal cannot be opened or read.
    public func run(opened: @Sendable () -> Void = {}) async throws {
        let reader = try JournalReader(source)
        try reader.apply(try Self.match(filters))
        try position(reader)
        opened()
        var classifier = Classifier(settings: classify)
        var passed: String?
        let batch = 256
        while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
            beat(.reading)
            var read = 0
            var lastWasVerdict = false
            while read < batch, try reader.next() {
                read += 1
                lastWasVerdict = false
                if let notice = try suppression(reader) {
                    notices.notice(notice)
                    continue
                }
                let scanned = try EntryScanner.scanCurrent(reader, filters: filters, realtime: try reader.realtime())
                state.withLock { $0.counts.entries += 1 }
                guard case .event(let event) = scanned.outcome else { continue }
                state.withLock { $0.counts.events += 1 }
                guard case .learn(let verdict) = classifier.classify(event) else { continue }
                state.withLock {
                    $0.counts.verdicts += 1
                    $0.activity = .waitingForRoom
                }
                guard await pipeline.submit(verdict) else { return }
                lastWasVerdict = true
                beat(.reading)
            }
            if read > 0 && !lastWasVerdict {
                let cursor = try reader.cursor()
                if cursor != passed {
                    try pipeline.pass(cursor: cursor)
                    passed = cursor
                }
            }
            if read < batch {
                do {
                    _ = try await reader.waitForChange(timeout: .seconds(1))
                } catch is CancellationError {
                    return
                }
            }
        }
    }

    private func beat(_ activity: Activity) {
        state.withLock {
            $0.heartbeat = .now
            $0.activity = activity
        }
    }

    private func position(_ reader: JournalReader) throws {
        if let cursor = try store.savedCursor() {
            do {
                try reader.seek(after: cursor)
                return
            } catch JournalError.cursorNotFound, JournalError.invalidCursor {
                try reader.seekHead()
                var resumed: UInt64?
                if try reader.next() {
                    resumed = try reader.realtime()
                    // Back before it: previous() from the first entry finds none and stays on it,
                    // so the loop's next() would skip the oldest entry.
                    try reader.seekHead()
                }
                notices.notice(.cursorLost(savedCursor: cursor, resumedRealtime: resumed))
                return
            }
        }
        switch start {
        case .tail: try reader.seekTail()
        case .head: try reader.seekHead()
        case .time(let microseconds): try reader.seek(realtime: microseconds)
        }
    }

    /// The notice for a journald drop entry, if the current entry is one.
    private func suppression(_ reader: JournalReader) throws -> JournalNotice? {
        guard try reader.text(of: "MESSAGE_ID") == Self.droppedMessageID else { return nil }
        let unit = try reader.text(of: "OBJECT_SYSTEMD_UNIT") ?? "?"
        let message = try reader.text(of: "MESSAGE") ?? ""
        var count = Int(try reader.text(of: "N_DROPPED") ?? "") ?? 0
        if count == 0, let words = message.split(separator: " ").dropFirst().first, let parsed = Int(words) {
            count = parsed
        }
        state.withLock { $0.counts.suppressed += count }
        return .suppressed(unit: unit, count: count)
    }
}
