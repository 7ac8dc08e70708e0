/// Which mailbox names count as junk and as trash, to choose between copies of a message.
///
/// Names match as the classifier's do: without regard to case, and only as a whole (list
/// `Archive/Junk` if that is a junk mailbox too).
public struct MailboxRoles: Sendable, Hashable {
    private let junk: NameSet
    private let trash: NameSet

    /// Creates roles from lists of names; `classify.junk_mailboxes` and `classify.trash_mailboxes`.
    public init(junk: [String], trash: [String]) {
        self.junk = NameSet(junk)
        self.trash = NameSet(trash)
    }

    /// The classifier's default junk and trash mailboxes.
    public static let `default` = MailboxRoles(
        junk: Classifier.Settings.defaultJunkMailboxes,
        trash: Classifier.Settings.defaultTrashMailboxes
    )

    /// Whether `mailbox` is a junk mailbox.
    public func isJunk(_ mailbox: String) -> Bool { junk.contains(mailbox) }

    /// Whether `mailbox` is a trash mailbox.
    public func isTrash(_ mailbox: String) -> Bool { trash.contains(mailbox) }

    /// Whether a message of class `verdict` is at home in `mailbox`: spam in junk, ham anywhere
    /// but junk and trash.
    public func fits(_ mailbox: String, _ verdict: MessageClass) -> Bool {
        switch verdict {
        case .spam: return isJunk(mailbox)
        case .ham: return !isJunk(mailbox) && !isTrash(mailbox)
        }
    }
}
