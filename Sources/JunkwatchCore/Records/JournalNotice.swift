public import SystemdJournal

/// Something junkwatch tells the administrator through the journal that is not a decision:
/// messages it never saw, history it skipped, a learner it waits for.
public enum JournalNotice: Sendable, Hashable {
    /// journald suppressed `count` messages from `unit` past its rate limit: moves junkwatch
    /// never saw and cannot recover.
    case suppressed(unit: String, count: Int)
    /// The saved cursor is no longer in the journal; reading resumed at the oldest entry still
    /// there, whose time (microseconds since the epoch) is `resumedRealtime` when known.
    case cursorLost(savedCursor: String, resumedRealtime: UInt64?)
    /// A learner or the fetch (`learner`: `rspamd`, `doveadm` ...) fails in a way that may pass;
    /// junkwatch holds its place and tries again after `retryIn`. `user` when the failure is one
    /// user's.
    case transientFailure(learner: String, reason: String, retryIn: Duration, user: String? = nil)

    /// The notice's `MESSAGE_ID`.
    public var messageID: JournalMessageID {
        switch self {
        case .suppressed: .journalSuppressed
        case .cursorLost: .cursorLost
        case .transientFailure: .transientFailure
        }
    }

    /// Every notice is a `warning`: nothing is broken for good, but someone should look.
    public var priority: JournalPriority { .warning }

    /// The notice as one line for people.
    public var message: String {
        switch self {
        case .suppressed(let unit, let count):
            return "journald suppressed \(PlainText.plural(count, "message")) from \(PlainText.oneLine(unit)): "
                + "moves logged there are lost to junkwatch; raise the rate limit (RateLimitBurst=) so they are not"
        case .cursorLost(let savedCursor, _):
            return "the saved journal cursor \(PlainText.oneLine(savedCursor)) is no longer in the journal "
                + "(vacuumed or rotated away): resumed at the oldest entry still there; moves logged in "
                + "between were not learned"
        case .transientFailure(let learner, let reason, let retryIn, let user):
            let whose = user.map { " for \(PlainText.oneLine($0))" } ?? ""
            let seconds = JunkwatchField.decimal(seconds: Self.seconds(retryIn)) ?? "?"
            return "\(PlainText.oneLine(learner)) is failing\(whose): \(PlainText.oneLine(reason)); "
                + "retrying in \(seconds) s, holding the journal position so nothing is lost"
        }
    }

    /// The notice as a journal entry: `MESSAGE`, `MESSAGE_ID`, `PRIORITY`,
    /// `SYSLOG_IDENTIFIER=junkwatch`, and its items as `JUNKWATCH_*` fields.
    public var journalFields: [JournalField] {
        typealias Field = JunkwatchField
        var fields = [
            JournalField(name: "MESSAGE", text: message),
            messageID.field,
            priority.field,
            JournalField(name: "SYSLOG_IDENTIFIER", text: Field.syslogIdentifier),
        ]
        switch self {
        case .suppressed(let unit, let count):
            fields.append(JournalField(name: Field.unit, text: unit))
            fields.append(JournalField(name: Field.suppressed, text: String(count)))
        case .cursorLost(let savedCursor, let resumedRealtime):
            fields.append(JournalField(name: Field.savedCursor, text: savedCursor))
            if let resumedRealtime {
                fields.append(JournalField(name: Field.resumedRealtime, text: String(resumedRealtime)))
            }
        case .transientFailure(let learner, let reason, let retryIn, let user):
            fields.append(JournalField(name: Field.learner, text: learner))
            fields.append(JournalField(name: Field.reason, text: reason))
            if let seconds = Field.decimal(seconds: Self.seconds(retryIn)) {
                fields.append(JournalField(name: Field.retryIn, text: seconds))
            }
            if let user { fields.append(JournalField(name: Field.user, text: user)) }
        }
        return fields
    }

    /// The notice a journal entry holds, or `nil` when it is none of junkwatch's notices.
    public init?(journalEntry entry: JournalEntry) {
        typealias Field = JunkwatchField
        guard let id = entry.text("MESSAGE_ID").flatMap(JournalMessageID.init(rawValue:)) else { return nil }
        switch id {
        case .journalSuppressed:
            guard let unit = entry.text(Field.unit), let count = entry.text(Field.suppressed).flatMap({ Int($0) })
            else { return nil }
            self = .suppressed(unit: unit, count: count)
        case .cursorLost:
            guard let saved = entry.text(Field.savedCursor) else { return nil }
            self = .cursorLost(
                savedCursor: saved,
                resumedRealtime: entry.text(Field.resumedRealtime).flatMap { UInt64($0) }
            )
        case .transientFailure:
            guard let learner = entry.text(Field.learner), let reason = entry.text(Field.reason),
                let seconds = entry.text(Field.retryIn).flatMap({ Double($0) }), seconds.isFinite
            else { return nil }
            self = .transientFailure(
                learner: learner,
                reason: reason,
                retryIn: .microseconds(Int64((seconds * 1_000_000).rounded())),
                user: entry.text(Field.user)
            )
        default:
            return nil
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
