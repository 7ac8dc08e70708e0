/// A judgement a user made about a message: train it as ham or as spam.
public struct Verdict: Sendable, Hashable {
    /// Ham or spam.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Not spam: the user took it out of Junk, or flagged it `$NotJunk`.
        case ham
        /// Spam: the user put it into Junk, or flagged it `$Junk`.
        case spam
    }

    /// Ham or spam.
    public var kind: Kind
    /// The user whose judgement it is, and whose Bayes database learns it.
    public var user: String
    /// Where to find the message now.
    public var message: MessageReference
    /// The event the verdict came from.
    public var event: MailEvent
    /// Why, for people: "copied out of Junk into INBOX".
    public var reason: String

    /// Creates a verdict.
    public init(kind: Kind, user: String, message: MessageReference, event: MailEvent, reason: String) {
        self.kind = kind
        self.user = user
        self.message = message
        self.event = event
        self.reason = reason
    }
}

/// Where a message is: its mailbox and UID there, with its Message-ID and size to find it again
/// if it has moved on.
public struct MessageReference: Sendable, Hashable, Codable {
    /// The mailbox the message is in after the event.
    public var mailbox: String
    /// Its UID in `mailbox`, when known.
    public var uid: UInt32?
    /// Its Message-ID as logged; empty when it has none.
    public var msgid: String
    /// Its size in bytes, when logged.
    public var size: Int?

    /// Creates a reference.
    public init(mailbox: String, uid: UInt32? = nil, msgid: String = "", size: Int? = nil) {
        self.mailbox = mailbox
        self.uid = uid
        self.msgid = msgid
        self.size = size
    }
}
