/// What a user's action says a message is.
public enum MessageClass: String, Sendable, Codable {
    /// A wanted message: it was moved out of Junk.
    case ham
    /// An unwanted message: it was moved into Junk.
    case spam

    /// The other class: what a message was learned as before a user changed their mind.
    public var opposite: MessageClass {
        switch self {
        case .ham: return .spam
        case .spam: return .ham
        }
    }
}
