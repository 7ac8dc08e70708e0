/// Where a message was seen: enough to fetch it again from the mail store.
///
/// The values come from a dovecot `mail_log` line: `uid` is the message's UID in `mailbox`
/// (the destination of a copy or save), `messageID` the logged `msgid=`, which is empty when the
/// message has none and cut to 80 characters ending in `...` when it is longer.
public struct MessageLocator: Sendable, Hashable {
    /// The mail user, verbatim (may contain spaces, quotes, `+`, `$`, anything).
    public var user: String
    /// The mailbox the message was seen in, in UTF-8 as dovecot logs it.
    public var mailbox: String
    /// The message's UID in ``mailbox``, when known.
    public var uid: UInt32?
    /// The Message-ID as logged, with its angle brackets; `nil` or empty when there is none.
    public var messageID: String?
    /// The message's size in bytes as logged, when known.
    public var size: Int?

    /// Creates a locator.
    public init(user: String, mailbox: String, uid: UInt32?, messageID: String? = nil, size: Int? = nil) {
        self.user = user
        self.mailbox = mailbox
        self.uid = uid
        self.messageID = messageID
        self.size = size
    }
}

extension MessageLocator {
    /// How to look the message up by its Message-ID, or `nil` when it has none.
    ///
    /// A Message-ID that dovecot cut short (it ends in `...`) can only be matched as a prefix:
    /// `isPrefix` says so.
    public var messageIDSearchKey: (text: String, isPrefix: Bool)? {
        guard let raw = messageID.map(StageText.trimmed), !raw.isEmpty else { return nil }
        if raw.hasSuffix("...") {
            let prefix = String(raw.dropLast(3))
            return prefix.isEmpty ? nil : (prefix, true)
        }
        return (raw, false)
    }
}
