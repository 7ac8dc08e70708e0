/// The learn stage: teaches one spam filter (rspamd Bayes, rspamd fuzzy storage, SpamAssassin)
/// that a message is ham or spam.
///
/// A learner never throws: every result, failures included, is a ``LearnOutcome``, so that a
/// runner can record it. Implementations are safe to call concurrently.
public protocol Learner: Sendable {
    /// A short, stable name for the decision record and the logs, e.g. `rspamd-bayes`.
    var name: String { get }

    /// Teaches the filter that `message` is `verdict`.
    ///
    /// - Parameters:
    ///   - message: the message as fetched; never logged or stored.
    ///   - verdict: what the user's action says the message is.
    ///   - locator: whose message it is and where it was (the user picks a per-user database).
    ///   - reversal: whether the user undid an earlier action, so the message may have been
    ///     learned as the other class before: a learner that cannot relearn by itself unlearns
    ///     that first.
    func learn(
        _ message: [UInt8],
        as verdict: MessageClass,
        locator: MessageLocator,
        reversal: Bool
    ) async -> LearnOutcome

    /// Checks that the learner can work (its server answers, its password is taken, its program
    /// runs) without teaching anything; `nil` when it can.
    func check() async -> StageError?
}

extension Learner {
    /// Nothing to check by default.
    public func check() async -> StageError? { nil }
}
