/// Which mailbox names count as junk and as trash, to choose between copies of a message.
///
/// Names compare case-insensitively, and a name also matches below a hierarchy separator
/// (`INBOX/Junk`, `INBOX.Junk` match `Junk`).
public struct MailboxRoles: Sendable, Hashable {
    /// Names of junk mailboxes.
    public var junk: Set<String>
    /// Names of trash mailboxes.
    public var trash: Set<String>

    /// Creates roles from lists of names.
    public init(junk: some Sequence<String>, trash: some Sequence<String>) {
        self.junk = Set(junk.map { $0.lowercased() })
        self.trash = Set(trash.map { $0.lowercased() })
    }

    /// The usual names of Thunderbird, Outlook, Apple Mail, Roundcube and Gmail-like setups.
    public static let `default` = MailboxRoles(
        junk: ["Junk", "Spam", "Junk E-mail", "Junk Email", "Bulk Mail", "Junk-E-Mail"],
        trash: ["Trash", "Deleted Items", "Deleted Messages", "Bin", "Papierkorb", "Gelöschte Elemente"]
    )

    /// Whether `mailbox` is a junk mailbox.
    public func isJunk(_ mailbox: String) -> Bool { Self.matches(mailbox, junk) }

    /// Whether `mailbox` is a trash mailbox.
    public func isTrash(_ mailbox: String) -> Bool { Self.matches(mailbox, trash) }

    /// Whether a message of class `verdict` is at home in `mailbox`: spam in junk, ham anywhere
    /// but junk and trash.
    public func fits(_ mailbox: String, _ verdict: MessageClass) -> Bool {
        switch verdict {
        case .spam: return isJunk(mailbox)
        case .ham: return !isJunk(mailbox) && !isTrash(mailbox)
        }
    }

    private static func matches(_ mailbox: String, _ names: Set<String>) -> Bool {
        let lower = mailbox.lowercased()
        if names.contains(lower) { return true }
        // The last hierarchy level: "INBOX/Junk", "INBOX.Junk".
        if let cut = lower.lastIndex(where: { $0 == "/" || $0 == "." }) {
            return names.contains(String(lower[lower.index(after: cut)...]))
        }
        return false
    }
}
