/// What a replay decided and what its learners made of it, per user and per learner: the
/// table at the end of `junkwatch replay`.
///
/// The scan counts decisions (through a ``DecisionCounter``); the reporter counts records
/// (``recorded(_:)``); ``merge(_:)`` puts the two together.
public struct ReplayTally: Sendable, Equatable {
    /// One user's counts, or a total.
    public struct Counts: Sendable, Hashable {
        /// Ham decisions: messages taken out of Junk.
        public var ham = 0
        /// Spam decisions: messages put into Junk.
        public var spam = 0
        /// The learners' records by outcome (one per learner and decision).
        public var outcomes = DecisionStatistics.Counts()

        /// Nothing counted.
        public init() {}

        /// Ham and spam decisions.
        public var decisions: Int { ham + spam }

        mutating func add(_ other: Counts) {
            ham += other.ham
            spam += other.spam
            outcomes = outcomes + other.outcomes
        }
    }

    /// Counts per user, as dovecot logs the name.
    public private(set) var users: [String: Counts] = [:]
    /// Records per learner, by outcome.
    public private(set) var learners: [String: DecisionStatistics.Counts] = [:]

    /// Nothing counted.
    public init() {}

    /// Counts a decision: what a ``DecisionCounter`` does quicker, kept for the tests to check it by.
    mutating func decided(_ verdict: Verdict) {
        add(user: verdict.user, ham: verdict.kind == .ham ? 1 : 0, spam: verdict.kind == .spam ? 1 : 0)
    }

    /// Adds `ham` and `spam` decisions for `user`.
    public mutating func add(user: String, ham: Int, spam: Int) {
        users[user, default: Counts()].ham += ham
        users[user, default: Counts()].spam += spam
    }

    /// Counts a learner's record; records without an outcome (a dry run's) count nothing.
    public mutating func recorded(_ record: DecisionRecord) {
        guard let outcome = record.outcome else { return }
        users[record.user, default: Counts()].outcomes[outcome] += 1
        learners[record.learner ?? "", default: DecisionStatistics.Counts()][outcome] += 1
    }

    /// Adds another tally's counts to this one.
    public mutating func merge(_ other: ReplayTally) {
        for (user, counts) in other.users { users[user, default: Counts()].add(counts) }
        for (learner, counts) in other.learners {
            learners[learner] = (learners[learner] ?? DecisionStatistics.Counts()) + counts
        }
    }

    /// Every user's counts added up.
    public var total: Counts {
        var total = Counts()
        for counts in users.values { total.add(counts) }
        return total
    }
}
