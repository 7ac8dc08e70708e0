/// Decides what a mail event means: a user teaching ham, teaching spam, or nothing.
///
/// The rules (DESIGN.md, "Classification"), each list configurable through `Settings`:
///
/// | event | decision |
/// | --- | --- |
/// | copy out of a junk mailbox into one that is neither junk nor trash | ham |
/// | copy from a mailbox that is not junk (nor trash) into a junk mailbox | spam |
/// | save (IMAP APPEND) into a junk mailbox | spam, unless `learnAppendToJunk` is off |
/// | flag change that adds a spam flag (`$Junk`) / a ham flag (`$NotJunk`) | spam / ham |
/// | into or out of trash, between junk mailboxes, expunge, anything else | nothing |
/// | any event from a service not in `userServices` (`lmtp`, `lda`, `doveadm`...) | nothing |
///
/// A MOVE logs a copy then an expunge: the copy carries the verdict, the expunge is nothing.
///
/// Within one run the classifier remembers recent messages (bounded by
/// `Settings.recentMessages`), by user and Message-ID, or by user, mailbox and UID when the
/// message has no Message-ID:
/// - the same verdict again for the same message is not a new action (a Thunderbird "mark as
///   junk" flags `$Junk` and then moves to Junk: one learn); a reversal (spam, then ham) is;
/// - dovecot's `flag_change` logs the flags after the change, so a message that is merely read
///   logs `flags=(\Seen $Junk)` again. "Adding" `$Junk` means the message has it now and was
///   not seen with it before in this run; the flags logged on copy, save and expunge lines count
///   as seen too. After a restart the first sighting counts as adding: the learners answer
///   "already learned" to a repeat.
/// - a flag change that newly shows both a spam and a ham flag is ambiguous and ignored; when
///   one of the two was there before, the new one decides.
public struct Classifier: Sendable {
    /// The settings the classifier was made with.
    public let settings: Settings
    private let junk: NameSet
    private let trash: NameSet
    private let userServices: Set<String>
    private let spamFlags: NameSet
    private let hamFlags: NameSet
    private var memory: Memory
    private var reasons = Reasons()

    /// Services that deliver mail rather than act for a user; named in the reason only.
    private static let deliveryServices: Set<String> = ["lmtp", "lda", "dovecot-lda"]

    /// Creates a classifier with an empty memory.
    public init(settings: Settings = Settings()) {
        self.settings = settings
        junk = NameSet(settings.junkMailboxes)
        trash = NameSet(settings.trashMailboxes)
        userServices = Set(settings.userServices)
        spamFlags = NameSet(settings.spamFlags)
        hamFlags = NameSet(settings.hamFlags)
        memory = Memory(capacity: settings.recentMessages)
    }

    /// How many messages the classifier remembers now; never more than `Settings.recentMessages`.
    public var rememberedMessages: Int { memory.count }

    /// Whether `mailbox` is one of the junk mailboxes (ignoring case).
    public func isJunk(_ mailbox: String) -> Bool {
        junk.contains(mailbox)
    }

    /// Whether `mailbox` is one of the trash mailboxes (ignoring case).
    public func isTrash(_ mailbox: String) -> Bool {
        trash.contains(mailbox)
    }

    /// Classifies one event, and remembers what it saw of the message.
    ///
    /// The event is consumed: a verdict keeps it, moved rather than copied (a copy costs a retain
    /// and a release of each of its strings, per event).
    public mutating func classify(_ event: consuming MailEvent) -> Decision {
        let key = MessageKey.identifying(event)
        let recalled = key.map { memory.recall($0) }
        let known = recalled?.entry ?? Memory.Entry()
        let spamFlag = event.flags.map { flags in flags.first { spamFlags.contains($0) } }
        let hamFlag = event.flags.map { flags in flags.first { hamFlags.contains($0) } }
        var entry = known
        let decision: Decision
        switch decide(event, known: known, spamFlag: spamFlag, hamFlag: hamFlag) {
        case .ignore(let ignored):
            decision = .ignore(ignored)
        case .learn(let kind, let reason):
            let verdict = Self.verdict(kind, consume event, reasons.text(of: reason))
            if known.verdict == kind {
                decision = .ignore(.repeated(verdict))
            } else {
                entry.verdict = kind
                decision = .learn(verdict)
            }
        }
        if let spamFlag { entry.spamFlag = spamFlag != nil }
        if let hamFlag { entry.hamFlag = hamFlag != nil }
        if let key, let recalled { memory.remember(entry, for: key, after: recalled) }
        return decision
    }

    /// The verdict for `event`, or `nil` when it teaches nothing.
    public mutating func verdict(for event: MailEvent) -> Verdict? {
        classify(event).verdict
    }

    /// What `decide` makes of an event: the verdict itself is made once the memory has said
    /// whether it is a repeat, so that it is built once and never copied to be looked at.
    private enum Judgement {
        case learn(Verdict.Kind, reason: Reason)
        case ignore(Ignored)
    }

    private func decide(
        _ event: MailEvent,
        known: Memory.Entry,
        spamFlag: String??,
        hamFlag: String??
    ) -> Judgement {
        guard userServices.contains(event.service) else {
            if Self.deliveryServices.contains(event.service) {
                return .ignore(.delivery(service: event.service, kind: event.kind))
            }
            return .ignore(.notUserService(event.service))
        }
        guard event.uid != nil || !event.msgid.isEmpty else {
            return .ignore(.noReference)
        }
        let mailbox = event.mailbox
        switch event.kind {
        case .copy:
            let source = event.source ?? ""
            if isTrash(mailbox) {
                return .ignore(.intoTrash(source: source, mailbox: mailbox))
            }
            if isTrash(source) {
                return .ignore(.outOfTrash(source: source, mailbox: mailbox))
            }
            switch (isJunk(source), isJunk(mailbox)) {
            case (true, true):
                return .ignore(.betweenJunk(source: source, mailbox: mailbox))
            case (true, false):
                return .learn(.ham, reason: .copiedOut(source: source, mailbox: mailbox))
            case (false, true):
                return .learn(.spam, reason: .copiedIn(source: source, mailbox: mailbox))
            case (false, false):
                return .ignore(.neitherJunk(source: source, mailbox: mailbox))
            }
        case .save:
            guard isJunk(mailbox) else {
                return .ignore(.savedNotJunk(mailbox: mailbox))
            }
            guard settings.learnAppendToJunk else {
                return .ignore(.appendNotLearned(mailbox: mailbox, service: event.service))
            }
            return .learn(.spam, reason: .appended(mailbox: mailbox, service: event.service))
        case .flag:
            guard settings.learnFlags else {
                return .ignore(.flagsNotLearned)
            }
            guard let spamFlag, let hamFlag else {
                return .ignore(.noFlags)
            }
            let spamAdded = spamFlag != nil && known.spamFlag != true
            let hamAdded = hamFlag != nil && known.hamFlag != true
            switch (spamAdded, hamAdded) {
            case (true, true):
                return .ignore(.ambiguousFlags(spam: spamFlag ?? "", ham: hamFlag ?? "", mailbox: mailbox))
            case (true, false):
                return .learn(.spam, reason: .flagged(flag: spamFlag ?? "", mailbox: mailbox))
            case (false, true):
                return .learn(.ham, reason: .flagged(flag: hamFlag ?? "", mailbox: mailbox))
            case (false, false):
                if let flag = spamFlag ?? hamFlag { return .ignore(.flagAlreadySet(flag)) }
                return .ignore(.noSpamOrHamFlag(mailbox: mailbox))
            }
        case .expunge:
            return .ignore(.expunged(mailbox: mailbox))
        }
    }

    private static func verdict(_ kind: Verdict.Kind, _ event: consuming MailEvent, _ reason: String) -> Verdict {
        let message = MessageReference(mailbox: event.mailbox, uid: event.uid, msgid: event.msgid, size: event.size)
        return Verdict(kind: kind, user: event.user, message: message, event: event, reason: reason)
    }
}
