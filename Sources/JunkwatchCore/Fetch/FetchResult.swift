/// What fetching a message found.
public enum FetchResult: Sendable, Hashable {
    /// The message as stored, and where it was found: the logged mailbox and UID, or another
    /// mailbox when the user had moved it on and it was found by its Message-ID.
    case message([UInt8], mailbox: String, uid: UInt32)
    /// The message is no longer in the user's mail store (expunged, or never had a findable
    /// Message-ID): a permanent outcome, recorded and passed.
    case gone(reason: String)
    /// The message is larger than the configured limit; it was not read into memory.
    /// `size` is its size in bytes as the mail store reports it.
    case tooLarge(size: Int, limit: Int)
}

extension FetchResult: CustomStringConvertible {
    /// A one-line summary that never contains the message itself.
    public var description: String {
        switch self {
        case .message(let bytes, let mailbox, let uid):
            return "message of \(bytes.count) bytes in \(StageText.quoted(mailbox)) uid \(uid)"
        case .gone(let reason):
            return "gone: \(reason)"
        case .tooLarge(let size, let limit):
            return "too large: \(size) bytes, limit \(limit)"
        }
    }
}
