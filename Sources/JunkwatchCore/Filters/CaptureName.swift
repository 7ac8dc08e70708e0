/// The named captures a filter rule's pattern may use, as in `(?<user>.+?)`.
public enum CaptureName: String, CaseIterable, Sendable, Hashable {
    /// The dovecot service that logged the line: `imap`, `lmtp`, `doveadm`...
    case service
    /// The user, verbatim: it may contain spaces, quotes, `+` or parentheses.
    case user
    /// Dovecot's session ID, when the line has one.
    case session
    /// The process ID, when the line has one.
    case pid
    /// The mailbox a message was copied from (copy events).
    case source
    /// The mailbox the event happened in; for a copy, the destination.
    case mailbox
    /// The message's UID in `mailbox`; `error` or anything else not a number reads as unknown.
    case uid
    /// The Message-ID header as logged: may be empty, or cut at 80 bytes ending in `...`.
    case msgid
    /// The message size in bytes; `error` reads as unknown.
    case size
    /// The message's flags and keywords after the event, separated by spaces.
    case flags

    /// Every name, in order; unlike `allCases`, built once.
    static let all: [CaptureName] = allCases

    /// The position of the name in `allCases`.
    var index: Int {
        switch self {
        case .service: 0
        case .user: 1
        case .session: 2
        case .pid: 3
        case .source: 4
        case .mailbox: 5
        case .uid: 6
        case .msgid: 7
        case .size: 8
        case .flags: 9
        }
    }
}
