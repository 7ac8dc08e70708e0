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
    private let junk: Set<String>
    private let trash: Set<String>
    private let userServices: Set<String>
    private let spamFlags: Set<String>
    private let hamFlags: Set<String>
    private var memory: Memory

    /// Services that deliver mail rather than act for a user; named in the reason only.
    private static let deliveryServices: Set<String> = ["lmtp", "lda", "dovecot-lda"]

    /// Creates a classifier with an empty memory.
    public init(settings: Settings = Settings()) {
        self.settings = settings
        junk = Set(settings.junkMailboxes.map { $0.lowercased() })
        trash = Set(settings.trashMailboxes.map { $0.lowercased() })
        userServices = Set(settings.userServices)
        spamFlags = Set(settings.spamFlags.map { $0.lowercased() })
        hamFlags = Set(settings.hamFlags.map { $0.lowercased() })
        memory = Memory(capacity: settings.recentMessages)
    }

    /// How many messages the classifier remembers now; never more than `Settings.recentMessages`.
    public var rememberedMessages: Int { memory.count }

    /// Whether `mailbox` is one of the junk mailboxes (ignoring case).
    public func isJunk(_ mailbox: String) -> Bool {
        junk.contains(mailbox) || junk.contains(mailbox.lowercased())
    }

    /// Whether `mailbox` is one of the trash mailboxes (ignoring case).
    public func isTrash(_ mailbox: String) -> Bool {
        trash.contains(mailbox) || trash.contains(mailbox.lowercased())
    }

    /// Classifies one event, and remembers what it saw of the message.
    public mutating func classify(_ event: MailEvent) -> Decision {
        let key = MessageKey(event)
        let known = key.flatMap { memory[$0] } ?? Memory.Entry()
        let spamFlag = event.flags.map { flags in flags.first { spamFlags.contains($0.lowercased()) } }
        let hamFlag = event.flags.map { flags in flags.first { hamFlags.contains($0.lowercased()) } }
        var decision = decide(event, known: known, spamFlag: spamFlag, hamFlag: hamFlag)
        var entry = known
        if let verdict = decision.verdict {
            if known.verdict == verdict.kind {
                decision = .ignore(
                    reason: "\(verdict.reason), but the message was already classified \(verdict.kind.rawValue) "
                        + "in this run: not a new action"
                )
            } else {
                entry.verdict = verdict.kind
            }
        }
        if let spamFlag { entry.spamFlag = spamFlag != nil }
        if let hamFlag { entry.hamFlag = hamFlag != nil }
        if let key { memory[key] = entry }
        return decision
    }

    /// The verdict for `event`, or `nil` when it teaches nothing.
    public mutating func verdict(for event: MailEvent) -> Verdict? {
        classify(event).verdict
    }

    private func decide(
        _ event: MailEvent,
        known: Memory.Entry,
        spamFlag: String??,
        hamFlag: String??
    ) -> Decision {
        guard userServices.contains(event.service) else {
            if Self.deliveryServices.contains(event.service) {
                return .ignore(
                    reason: "\(event.kind.rawValue) by \(event.service), a delivery: sorting at delivery "
                        + "(a sieve fileinto) is not a user's judgement"
                )
            }
            return .ignore(reason: "\(event.service) is not a user service (classify.user_services)")
        }
        guard event.uid != nil || !event.msgid.isEmpty else {
            return .ignore(reason: "the message cannot be found again: neither its uid nor its msgid was logged")
        }
        let mailbox = event.mailbox
        switch event.kind {
        case .copy:
            let source = event.source ?? ""
            if isTrash(mailbox) {
                return .ignore(reason: "copied from \(source) into trash \(mailbox): deleting is not a judgement")
            }
            if isTrash(source) {
                return .ignore(reason: "copied out of trash \(source) into \(mailbox): restoring is not a judgement")
            }
            switch (isJunk(source), isJunk(mailbox)) {
            case (true, true):
                return .ignore(reason: "copied between junk mailboxes \(source) and \(mailbox)")
            case (true, false):
                return learn(.ham, event, "copied out of \(source) into \(mailbox)")
            case (false, true):
                return learn(.spam, event, "copied from \(source) into \(mailbox)")
            case (false, false):
                return .ignore(reason: "copied from \(source) into \(mailbox): neither is a junk mailbox")
            }
        case .save:
            guard isJunk(mailbox) else {
                return .ignore(reason: "saved into \(mailbox), which is not a junk mailbox")
            }
            guard settings.learnAppendToJunk else {
                return .ignore(reason: "saved into \(mailbox) by \(event.service), but classify.learn_append_to_junk is off")
            }
            return learn(.spam, event, "saved into \(mailbox) by \(event.service) (an APPEND: a client's move into junk)")
        case .flag:
            guard settings.learnFlags else {
                return .ignore(reason: "flag changes are not learned (classify.learn_flags is off)")
            }
            guard let spamFlag, let hamFlag else {
                return .ignore(reason: "the flag change logged no flags")
            }
            let spamAdded = spamFlag != nil && known.spamFlag != true
            let hamAdded = hamFlag != nil && known.hamFlag != true
            switch (spamAdded, hamAdded) {
            case (true, true):
                return .ignore(
                    reason: "flagged both \(spamFlag ?? "") and \(hamFlag ?? "") in \(mailbox): ambiguous"
                )
            case (true, false):
                return learn(.spam, event, "flagged \(spamFlag ?? "") in \(mailbox)")
            case (false, true):
                return learn(.ham, event, "flagged \(hamFlag ?? "") in \(mailbox)")
            case (false, false):
                if let flag = spamFlag ?? hamFlag {
                    return .ignore(
                        reason: "\(flag) was already set: the flags were logged again (the message was read "
                            + "or otherwise changed), not flagged anew"
                    )
                }
                return .ignore(reason: "flag change in \(mailbox) without a spam or ham flag")
            }
        case .expunge:
            return .ignore(reason: "expunged from \(mailbox): the end of a move, or a deletion")
        }
    }

    private func learn(_ kind: Verdict.Kind, _ event: MailEvent, _ reason: String) -> Decision {
        let message = MessageReference(mailbox: event.mailbox, uid: event.uid, msgid: event.msgid, size: event.size)
        return .learn(Verdict(kind: kind, user: event.user, message: message, event: event, reason: reason))
    }
}
