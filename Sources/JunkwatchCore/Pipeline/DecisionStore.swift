public import Foundation

/// The dedupe and report stages' memory: what was learned before, and where in the journal
/// junkwatch has finished. ``Ledger`` (SQLite) in the program; an in-memory one in tests.
public protocol DecisionStore: Sendable {
    /// The latest successful learn (learned or already learned) of `message` for `user` by
    /// `learner` at or after `since`, or `nil`.
    func lastLearn(user: String, message: MessageReference, learner: String, since: Date) throws -> PriorLearn?

    /// Whether a final record other than `failed` for the entry at `sourceCursor` and `learner`
    /// is already stored: the entry was finished before a crash that kept the cursor from moving
    /// past it, or by an earlier replay. A failed one is tried again.
    func isRecorded(sourceCursor: String, learner: String) throws -> Bool

    /// Stores the final records of one decision and, when `cursor` is not `nil`, the new saved
    /// cursor, in one transaction.
    func commit(_ records: [DecisionRecord], cursor: String?, at time: Date) throws

    /// Moves the saved cursor only.
    func saveCursor(_ cursor: String) throws

    /// The saved cursor, if any.
    func savedCursor() throws -> String?

    /// Forgets records older than `before` (past the dedupe window); returns how many.
    @discardableResult
    func prune(before: Date) throws -> Int

    /// Notes that these committed records reached the reporter.
    func markReported(_ records: [DecisionRecord]) throws

    /// Committed records that never reached the reporter (a kill came in between), oldest first.
    func unreported() throws -> [DecisionRecord]
}

extension DecisionStore {
    /// A store that does not track reporting.
    public func markReported(_ records: [DecisionRecord]) throws {}

    /// A store that does not track reporting has nothing unreported.
    public func unreported() throws -> [DecisionRecord] { [] }
}

/// A learn remembered by a ``DecisionStore``.
public struct PriorLearn: Sendable, Equatable {
    /// What the message was learned as.
    public var verdict: Verdict.Kind
    /// `learned` or `already-learned`.
    public var outcome: DecisionRecord.Outcome
    /// When.
    public var time: Date

    /// Creates a remembered learn.
    public init(verdict: Verdict.Kind, outcome: DecisionRecord.Outcome, time: Date) {
        self.verdict = verdict
        self.outcome = outcome
        self.time = time
    }
}
