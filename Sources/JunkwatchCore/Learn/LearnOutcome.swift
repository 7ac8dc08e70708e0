/// What one learner did with one message.
public enum LearnOutcome: Sendable, Hashable {
    /// The learner took the message; `detail` says what it did (for the decision record).
    case learned(detail: String)
    /// The learner had already learned this message as this class: a success, nothing to redo.
    case alreadyLearned(detail: String)
    /// The learner declined the message for good (too few tokens, no content to hash, ...).
    case skipped(reason: String)
    /// The learner failed; the error's kind says whether to retry.
    case failed(StageError)

    /// The outcome as the decision record names it: `learned`, `already-learned`, `skipped`, `failed`.
    public var outcome: DecisionRecord.Outcome {
        switch self {
        case .learned: return .learned
        case .alreadyLearned: return .alreadyLearned
        case .skipped: return .skipped
        case .failed: return .failed
        }
    }

    /// The detail, reason or error message, for the decision record.
    public var reason: String {
        switch self {
        case .learned(let detail), .alreadyLearned(let detail): return detail
        case .skipped(let reason): return reason
        case .failed(let error): return error.description
        }
    }
}
