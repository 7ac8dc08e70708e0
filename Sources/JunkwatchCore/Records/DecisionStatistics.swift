/// Counts of decision records per user and verdict, per learner and in total, with latency
/// percentiles: what `junkwatch stats` prints.
///
/// Each record counts once under its outcome; a decision taught to two learners is two records.
/// Records without an outcome (a dry run's) are not counted.
public struct DecisionStatistics: Sendable {
    /// How many records ended in each outcome.
    public struct Counts: Sendable, Hashable {
        /// `learned` records.
        public var learned = 0
        /// `already-learned` records.
        public var alreadyLearned = 0
        /// `skipped` records.
        public var skipped = 0
        /// `gone` records.
        public var gone = 0
        /// `failed` records.
        public var failed = 0

        /// No records.
        public init() {}

        /// Every record counted.
        public var total: Int { learned + alreadyLearned + skipped + gone + failed }

        /// The count of one outcome.
        public subscript(outcome: DecisionRecord.Outcome) -> Int {
            get {
                switch outcome {
                case .learned: learned
                case .alreadyLearned: alreadyLearned
                case .skipped: skipped
                case .gone: gone
                case .failed: failed
                }
            }
            set {
                switch outcome {
                case .learned: learned = newValue
                case .alreadyLearned: alreadyLearned = newValue
                case .skipped: skipped = newValue
                case .gone: gone = newValue
                case .failed: failed = newValue
                }
            }
        }

        static func + (lhs: Counts, rhs: Counts) -> Counts {
            var sum = lhs
            for outcome in DecisionRecord.Outcome.allCases { sum[outcome] += rhs[outcome] }
            return sum
        }
    }

    /// Latency percentiles, in seconds, by the nearest-rank method: `p90` is the smallest
    /// latency that at least 90% of the records do not exceed.
    public struct Latency: Sendable, Hashable {
        /// The median.
        public var p50: Double
        /// The 90th percentile.
        public var p90: Double
        /// The 99th percentile.
        public var p99: Double
        /// The largest latency.
        public var max: Double
        /// How many records had a latency.
        public var count: Int

        /// The percentiles of `latencies` (in any order); `nil` when there are none.
        public init?(_ latencies: [Double]) {
            guard !latencies.isEmpty else { return nil }
            let sorted = latencies.sorted()
            p50 = DecisionStatistics.percentile(50, ofSorted: sorted)
            p90 = DecisionStatistics.percentile(90, ofSorted: sorted)
            p99 = DecisionStatistics.percentile(99, ofSorted: sorted)
            max = sorted[sorted.count - 1]
            count = sorted.count
        }
    }

    /// One line of the statistics: a user and verdict, a verdict or learner over all users, or
    /// everything.
    public struct Row: Sendable, Hashable {
        /// The user; `nil` in a total.
        public var user: String?
        /// The verdict; `nil` where both are summed.
        public var verdict: Verdict.Kind?
        /// The learner; set only in the per-learner rows.
        public var learner: String?
        /// Records per outcome.
        public var counts: Counts
        /// Latency percentiles of the records that had one.
        public var latency: Latency?

        /// A row; every part but the counts is optional.
        public init(
            user: String? = nil,
            verdict: Verdict.Kind? = nil,
            learner: String? = nil,
            counts: DecisionStatistics.Counts,
            latency: DecisionStatistics.Latency? = nil
        ) {
            self.user = user
            self.verdict = verdict
            self.learner = learner
            self.counts = counts
            self.latency = latency
        }
    }

    /// The users shown and what is left out.
    public struct UserRows: Sendable, Hashable {
        /// A row per user and verdict, the users with the most records first.
        public var rows: [Row]
        /// How many users are not shown.
        public var moreUsers: Int
        /// How many records those users have.
        public var moreRecords: Int
    }

    /// The counts and latencies of one row while records come in.
    private struct Accumulator: Sendable {
        var counts = Counts()
        var latencies: [Double] = []

        mutating func add(_ outcome: DecisionRecord.Outcome, _ latency: Double?) {
            counts[outcome] += 1
            if let latency, latency.isFinite { latencies.append(latency) }
        }
    }

    private struct UserVerdict: Hashable {
        var user: String
        var verdict: Verdict.Kind
    }

    private var byUser: [UserVerdict: Accumulator] = [:]
    private var byLearner: [String: Accumulator] = [:]

    /// Messages journald suppressed, per unit, from the notices read.
    public private(set) var suppressed: [String: Int] = [:]
    /// How many times the saved cursor was lost.
    public private(set) var cursorsLost = 0
    /// How many times junkwatch waited on a transient failure, per learner or stage.
    public private(set) var transientFailures: [String: Int] = [:]

    /// No records yet.
    public init() {}

    /// Counts one record; one without an outcome is ignored.
    public mutating func add(_ record: DecisionRecord) {
        guard let outcome = record.outcome else { return }
        byUser[UserVerdict(user: record.user, verdict: record.verdict), default: Accumulator()]
            .add(outcome, record.latency)
        byLearner[record.learner ?? "", default: Accumulator()].add(outcome, record.latency)
    }

    /// Counts one notice.
    public mutating func add(_ notice: JournalNotice) {
        switch notice {
        case .suppressed(let unit, let count): suppressed[unit, default: 0] += count
        case .cursorLost: cursorsLost += 1
        case .transientFailure(let learner, _, _, _): transientFailures[learner, default: 0] += 1
        }
    }

    /// How many records were counted.
    public var recordCount: Int { byUser.values.reduce(0) { $0 + $1.counts.total } }

    /// How many users have records.
    public var userCount: Int { Set(byUser.keys.map(\.user)).count }

    /// Rows per user and verdict (ham before spam) for the `top` users with the most records
    /// (ties by name); `nil` shows every user.
    public func userRows(top: Int? = nil) -> UserRows {
        var perUser: [String: Int] = [:]
        for (key, accumulator) in byUser { perUser[key.user, default: 0] += accumulator.counts.total }
        let ranked = perUser.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let shown = top.map { Array(ranked.prefix(Swift.max(0, $0))) } ?? ranked
        let hidden = ranked.dropFirst(shown.count)
        var rows: [Row] = []
        for (user, _) in shown {
            for verdict in Verdict.Kind.allCases {
                guard let accumulator = byUser[UserVerdict(user: user, verdict: verdict)] else { continue }
                rows.append(
                    Row(
                        user: user,
                        verdict: verdict,
                        counts: accumulator.counts,
                        latency: Latency(accumulator.latencies)
                    )
                )
            }
        }
        return UserRows(rows: rows, moreUsers: hidden.count, moreRecords: hidden.reduce(0) { $0 + $1.value })
    }

    /// One row per verdict that has records, over every user.
    public var verdictTotals: [Row] {
        Verdict.Kind.allCases.compactMap { verdict in
            let parts = byUser.filter { $0.key.verdict == verdict }.map(\.value)
            guard !parts.isEmpty else { return nil }
            return Self.row(merging: parts, verdict: verdict)
        }
    }

    /// Every record in one row.
    public var total: Row {
        Self.row(merging: Array(byUser.values))
    }

    /// One row per learner, by name; records without a learner under the empty name.
    public var learnerRows: [Row] {
        byLearner.sorted { $0.key < $1.key }.map { learner, accumulator in
            Row(learner: learner, counts: accumulator.counts, latency: Latency(accumulator.latencies))
        }
    }

    private static func row(merging parts: [Accumulator], verdict: Verdict.Kind? = nil) -> Row {
        let counts = parts.reduce(Counts()) { $0 + $1.counts }
        return Row(verdict: verdict, counts: counts, latency: Latency(parts.flatMap(\.latencies)))
    }

    /// The `percent` percentile of ascending `sorted` by the nearest-rank method: the value at
    /// rank ⌈percent/100 × n⌉ (1-based). `sorted` must not be empty.
    public static func percentile(_ percent: Int, ofSorted sorted: [Double]) -> Double {
        precondition(!sorted.isEmpty, "the percentile of no values")
        // In integers: 0.99 × 100 in floating point is not quite 99, and rounding up would step past it.
        let rank = (percent * sorted.count + 99) / 100
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }
}
