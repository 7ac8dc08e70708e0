/// One thing a user's mail client did to a message, read from one log line.
public struct MailEvent: Sendable, Hashable {
    /// What happened to the message.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// Copied (or the first half of a move) from `source` into `mailbox`.
        case copy
        /// Saved into `mailbox`: an IMAP APPEND, or a delivery.
        case save
        /// Its flags or keywords changed; `flags` holds them as they are after the change.
        case flag
        /// Expunged from `mailbox` (the second half of a move, or a deletion).
        case expunge
    }

    /// What happened.
    public var kind: Kind
    /// The dovecot service that logged it: `imap`, `lmtp`, `lda`, `doveadm`...
    public var service: String
    /// The user whose mailbox it is.
    public var user: String
    /// Dovecot's session ID, when logged.
    public var session: String?
    /// The process ID, when logged.
    public var pid: Int?
    /// The mailbox the message was copied from; copy events only.
    public var source: String?
    /// The mailbox the event happened in; for a copy, the destination.
    public var mailbox: String
    /// The message's UID in `mailbox`, when known (dovecot logs `uid=error` when it is not).
    public var uid: UInt32?
    /// The Message-ID as logged: empty when the message has none, and cut at 80 bytes (ending in
    /// `...`) when longer.
    public var msgid: String
    /// The message's size in bytes, when logged.
    public var size: Int?
    /// The message's flags and keywords after the event, when logged (`\Seen`, `$Junk`...).
    public var flags: [String]?
    /// The journal cursor of the entry the line came from.
    public var cursor: String?
    /// The entry's wall-clock time, in microseconds since the epoch.
    public var realtime: UInt64?
    /// The name of the filter that read the line.
    public var filter: String
    /// The name of the rule that matched.
    public var rule: String

    /// Creates an event.
    public init(
        kind: Kind,
        service: String,
        user: String,
        session: String? = nil,
        pid: Int? = nil,
        source: String? = nil,
        mailbox: String,
        uid: UInt32? = nil,
        msgid: String = "",
        size: Int? = nil,
        flags: [String]? = nil,
        cursor: String? = nil,
        realtime: UInt64? = nil,
        filter: String = "",
        rule: String = ""
    ) {
        self.kind = kind
        self.service = service
        self.user = user
        self.session = session
        self.pid = pid
        self.source = source
        self.mailbox = mailbox
        self.uid = uid
        self.msgid = msgid
        self.size = size
        self.flags = flags
        self.cursor = cursor
        self.realtime = realtime
        self.filter = filter
        self.rule = rule
    }
}
