/// What the classifier made of one event.
public enum Decision: Sendable, Hashable {
    /// Train the message: a new judgement.
    case learn(Verdict)
    /// Nothing to learn, and why, for people (`test-filter` prints it).
    case ignore(reason: String)

    /// The verdict, when there is one.
    public var verdict: Verdict? {
        if case .learn(let verdict) = self { return verdict }
        return nil
    }

    /// The reason, learned or not.
    public var reason: String {
        switch self {
        case .learn(let verdict): verdict.reason
        case .ignore(let reason): reason
        }
    }
}
