/// What the classifier made of one event.
public enum Decision: Sendable, Hashable {
    /// Train the message: a new judgement. (Not boxed: the caller takes the verdict out of the
    /// returned decision by moving it, not by copying it out of a box.)
    case learn(Verdict)
    /// Nothing to learn, and why (`test-filter` prints it).
    case ignore(Ignored)

    /// The verdict, when there is one.
    public var verdict: Verdict? {
        if case .learn(let verdict) = self { return verdict }
        return nil
    }

    /// Why, for people: the verdict's reason, or why the event teaches nothing.
    public var reason: String {
        switch self {
        case .learn(let verdict): verdict.reason
        case .ignore(let ignored): ignored.description
        }
    }
}

/// Why an event teaches nothing. The wording is built only when asked for: most events teach
/// nothing, and a replay sees millions.
public enum Ignored: Sendable, Hashable, CustomStringConvertible {
    /// Logged by a service that delivers mail (`lmtp`, `lda`): sorting at delivery.
    case delivery(service: String, kind: MailEvent.Kind)
    /// Logged by a service that is not in `user_services` (`doveadm`, `pop3`...).
    case notUserService(String)
    /// Neither a UID nor a Message-ID: nothing to find the message by.
    case noReference
    /// Copied into a trash mailbox.
    case intoTrash(source: String, mailbox: String)
    /// Copied out of a trash mailbox.
    case outOfTrash(source: String, mailbox: String)
    /// Copied from one junk mailbox to another.
    case betweenJunk(source: String, mailbox: String)
    /// Copied between mailboxes neither of which is junk.
    case neitherJunk(source: String, mailbox: String)
    /// Saved into a mailbox that is not junk.
    case savedNotJunk(mailbox: String)
    /// Saved into junk, but `learn_append_to_junk` is off.
    case appendNotLearned(mailbox: String, service: String)
    /// A flag change, but `learn_flags` is off.
    case flagsNotLearned
    /// A flag change whose line had no flags.
    case noFlags
    /// A spam and a ham flag both newly set.
    case ambiguousFlags(spam: String, ham: String, mailbox: String)
    /// The spam or ham flag was there already: the flags were logged again.
    case flagAlreadySet(String)
    /// A flag change that involves neither a spam nor a ham flag.
    case noSpamOrHamFlag(mailbox: String)
    /// An expunge.
    case expunged(mailbox: String)
    /// The same verdict as last time for this message in this run.
    indirect case repeated(Verdict)

    /// The reason in words.
    public var description: String {
        switch self {
        case .delivery(let service, let kind):
            "\(kind.rawValue) by \(service), a delivery: sorting at delivery (a sieve fileinto) "
                + "is not a user's judgement"
        case .notUserService(let service):
            "\(service) is not a user service (classify.user_services)"
        case .noReference:
            "the message cannot be found again: neither its uid nor its msgid was logged"
        case .intoTrash(let source, let mailbox):
            "copied from \(source) into trash \(mailbox): deleting is not a judgement"
        case .outOfTrash(let source, let mailbox):
            "copied out of trash \(source) into \(mailbox): restoring is not a judgement"
        case .betweenJunk(let source, let mailbox):
            "copied between junk mailboxes \(source) and \(mailbox)"
        case .neitherJunk(let source, let mailbox):
            "copied from \(source) into \(mailbox): neither is a junk mailbox"
        case .savedNotJunk(let mailbox):
            "saved into \(mailbox), which is not a junk mailbox"
        case .appendNotLearned(let mailbox, let service):
            "saved into \(mailbox) by \(service), but classify.learn_append_to_junk is off"
        case .flagsNotLearned:
            "flag changes are not learned (classify.learn_flags is off)"
        case .noFlags:
            "the flag change logged no flags"
        case .ambiguousFlags(let spam, let ham, let mailbox):
            "flagged both \(spam) and \(ham) in \(mailbox): ambiguous"
        case .flagAlreadySet(let flag):
            "\(flag) was already set: the flags were logged again (the message was read or otherwise changed), "
                + "not flagged anew"
        case .noSpamOrHamFlag(let mailbox):
            "flag change in \(mailbox) without a spam or ham flag"
        case .expunged(let mailbox):
            "expunged from \(mailbox): the end of a move, or a deletion"
        case .repeated(let verdict):
            "\(verdict.reason), but the message was already classified \(verdict.kind.rawValue) in this run: "
                + "not a new action"
        }
    }
}
