import Synchronization

/// The counters of a running replay: written by the scan and the pipeline, read a few times a
/// second by a progress display, each on a thread of its own.
///
/// Every counter is a relaxed atomic, so the scan pays a plain store per entry and never waits
/// for the display; the display may see one counter a little ahead of another, which a progress
/// bar does not mind.
public final class ReplayProgress: Sendable {
    private let entries = Atomic<Int>(0)
    private let decisions = Atomic<Int>(0)
    private let learned = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    /// Microseconds since the epoch of the first and the latest entry read; 0 for none yet.
    private let first = Atomic<UInt64>(0)
    private let position = Atomic<UInt64>(0)

    /// Counters at zero.
    public init() {}

    /// The scan has read `count` entries, the last one logged at `realtime` (when it has a time).
    @inline(__always)
    public func read(_ count: Int, realtime: UInt64?) {
        entries.store(count, ordering: .relaxed)
        guard let realtime else { return }
        position.store(realtime, ordering: .relaxed)
        if first.load(ordering: .relaxed) == 0 { first.store(realtime, ordering: .relaxed) }
    }

    /// The scan has made `count` decisions (verdicts to learn) so far.
    @inline(__always)
    public func decided(_ count: Int) {
        decisions.store(count, ordering: .relaxed)
    }

    /// A learner's record ended with `outcome`.
    public func recorded(_ outcome: DecisionRecord.Outcome?) {
        switch outcome {
        case .learned: learned.add(1, ordering: .relaxed)
        case .failed: failed.add(1, ordering: .relaxed)
        default: break
        }
    }

    /// The counters as they are now.
    public var snapshot: Snapshot {
        let first = first.load(ordering: .relaxed)
        let position = position.load(ordering: .relaxed)
        return Snapshot(
            entries: entries.load(ordering: .relaxed),
            decisions: decisions.load(ordering: .relaxed),
            learned: learned.load(ordering: .relaxed),
            failed: failed.load(ordering: .relaxed),
            first: first == 0 ? nil : first,
            position: position == 0 ? nil : position
        )
    }

    /// The counters at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Entries read.
        public var entries: Int
        /// Verdicts made: messages to learn.
        public var decisions: Int
        /// Records with the outcome `learned`.
        public var learned: Int
        /// Records with the outcome `failed`.
        public var failed: Int
        /// The time of the first entry read, microseconds since the epoch.
        public var first: UInt64?
        /// The time of the latest entry read.
        public var position: UInt64?

        /// Creates a snapshot.
        public init(
            entries: Int = 0,
            decisions: Int = 0,
            learned: Int = 0,
            failed: Int = 0,
            first: UInt64? = nil,
            position: UInt64? = nil
        ) {
            self.entries = entries
            self.decisions = decisions
            self.learned = learned
            self.failed = failed
            self.first = first
            self.position = position
        }
    }

    /// The stretch of time a replay reads, to tell how far along it is: the time of its first and
    /// last entry, in microseconds since the epoch, when known.
    public struct Span: Sendable, Equatable {
        /// The first entry's time; `nil` takes the first entry read.
        public var start: UInt64?
        /// The last entry's time; `nil` when unknown (a stream without `--until`): no ETA then.
        public var end: UInt64?

        /// Creates a span.
        public init(start: UInt64? = nil, end: UInt64? = nil) {
            self.start = start
            self.end = end
        }
    }
}
