extension Classifier {
    /// What counts as junk, trash, a user's action and a spam or ham flag; `[classify]` in the
    /// configuration file.
    ///
    /// Mailbox names and flags compare without regard to case: a user's `junk` folder is junk, and
    /// IMAP keywords are case-insensitive. A name matches only as a whole: list `Archive/Junk`
    /// if that is a junk mailbox too.
    public struct Settings: Sendable, Equatable {
        /// Mailboxes whose messages are spam.
        public var junkMailboxes: [String]
        /// Mailboxes that are the bin: moves into or out of them teach nothing.
        public var trashMailboxes: [String]
        /// Dovecot services whose events are a user's doing. Deliveries (`lmtp`, `lda`) and admin
        /// tools (`doveadm`) are not.
        public var userServices: [String]
        /// Whether a save (IMAP APPEND) into a junk mailbox is spam: Outlook and mbsync move
        /// messages that way.
        public var learnAppendToJunk: Bool
        /// Whether adding a spam or ham flag teaches.
        public var learnFlags: Bool
        /// Keywords that mark spam: Thunderbird sets `$Junk` (older versions `Junk`).
        public var spamFlags: [String]
        /// Keywords that mark ham: Thunderbird sets `$NotJunk` (older versions `NonJunk`).
        public var hamFlags: [String]
        /// How many messages the classifier remembers, to tell a repeat from a new action; memory
        /// stays flat however long the run.
        public var recentMessages: Int

        /// The usual names of junk mailboxes, as clients and webmails create them.
        public static let defaultJunkMailboxes = [
            "Junk", "Spam", "Junk E-mail", "Junk Email", "Bulk Mail",
            "INBOX/Junk", "INBOX.Junk", "INBOX/Spam", "INBOX.Spam",
        ]
        /// The usual names of trash mailboxes.
        public static let defaultTrashMailboxes = [
            "Trash", "Deleted Items", "Deleted Messages", "Bin", "INBOX/Trash", "INBOX.Trash",
        ]

        /// Creates settings; every parameter defaults to junkwatch's documented default.
        public init(
            junkMailboxes: [String] = Settings.defaultJunkMailboxes,
            trashMailboxes: [String] = Settings.defaultTrashMailboxes,
            userServices: [String] = ["imap"],
            learnAppendToJunk: Bool = true,
            learnFlags: Bool = true,
            spamFlags: [String] = ["$Junk", "Junk"],
            hamFlags: [String] = ["$NotJunk", "NonJunk"],
            recentMessages: Int = 100_000
        ) {
            self.junkMailboxes = junkMailboxes
            self.trashMailboxes = trashMailboxes
            self.userServices = userServices
            self.learnAppendToJunk = learnAppendToJunk
            self.learnFlags = learnFlags
            self.spamFlags = spamFlags
            self.hamFlags = hamFlags
            self.recentMessages = recentMessages
        }
    }
}
