/// What a user's action says a message is: the learners' name for a verdict's kind.
public typealias MessageClass = Verdict.Kind

extension Verdict.Kind {
    /// The other class: what a message was learned as before a user changed their mind.
    public var opposite: Self {
        switch self {
        case .ham: return .spam
        case .spam: return .ham
        }
    }
}
