public import SystemdJournal

/// The fixed `MESSAGE_ID`s of junkwatch's journal entries: one per decision outcome, and one per
/// notice that is not a decision.
///
/// Each is explained in `units/junkwatch.catalog`, so `journalctl -x` says what happened and
/// what to do, and `journalctl MESSAGE_ID=...` finds every entry of its kind. They never change:
/// scripts and alerts match on them.
public struct JournalMessageID: Sendable, Hashable, CustomStringConvertible {
    /// The 128-bit ID as 32 lowercase hexadecimal digits, as the journal spells it.
    public let rawValue: String

    private init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// An ID read from an entry: 32 hexadecimal digits, in any case.
    public init?(rawValue: String) {
        let hexDigits = rawValue.utf8.filter {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0)
        }
        guard rawValue.utf8.count == 32, hexDigits.count == 32 else { return nil }
        self.init(rawValue.lowercased())
    }

    /// The learner took the message (`learned`).
    public static let learned = JournalMessageID("d134029ba22840eda53064ef2c82bb60")
    /// The learner had already learned the message as this class (`already-learned`).
    public static let alreadyLearned = JournalMessageID("6687f49a48bc41cdb39c4a1b8ee42e3a")
    /// The message was not sent to the learner, on purpose (`skipped`).
    public static let skipped = JournalMessageID("be96ab89c3ea40b59e426c77eda083fd")
    /// The message was nowhere to fetch it from any more (`gone`).
    public static let gone = JournalMessageID("074eb2abad6b4a0aa642c3ca391aa491")
    /// The learn failed for good (`failed`).
    public static let failed = JournalMessageID("a10e30b5feda48e0b4c356057c9ac95e")
    /// journald suppressed messages of dovecot's unit past its rate limit: moves junkwatch never saw.
    public static let journalSuppressed = JournalMessageID("0e10259700d54d1c80785ad1ac3526ae")
    /// The saved cursor is no longer in the journal; reading resumed at the oldest entry.
    public static let cursorLost = JournalMessageID("76ab99792dc8462ba58a2d54c5ca2641")
    /// A learner or the fetch fails transiently; junkwatch waits and retries.
    public static let transientFailure = JournalMessageID("ddc1e3c5dee9420da81e746630f44465")

    /// The IDs of decision records, one per outcome, in `DecisionRecord.Outcome.allCases` order.
    public static let decisions: [JournalMessageID] = DecisionRecord.Outcome.allCases.map(\.messageID)

    /// The IDs of notices that are not decisions.
    public static let notices: [JournalMessageID] = [.journalSuppressed, .cursorLost, .transientFailure]

    /// Every ID junkwatch writes.
    public static let all: [JournalMessageID] = decisions + notices

    /// The `MESSAGE_ID=...` field.
    public var field: JournalField { JournalField(name: "MESSAGE_ID", text: rawValue) }

    /// The `MESSAGE_ID=...` term of a journal match.
    public var matchTerm: String { "MESSAGE_ID=" + rawValue }

    public var description: String { rawValue }
}

extension DecisionRecord.Outcome {
    /// The `MESSAGE_ID` of a record with this outcome.
    public var messageID: JournalMessageID {
        switch self {
        case .learned: .learned
        case .alreadyLearned: .alreadyLearned
        case .skipped: .skipped
        case .gone: .gone
        case .failed: .failed
        }
    }

    /// The outcome whose record carries `messageID`, or `nil` for a notice or a foreign ID.
    public init?(messageID: JournalMessageID) {
        guard let outcome = Self.allCases.first(where: { $0.messageID == messageID }) else { return nil }
        self = outcome
    }

    /// The `PRIORITY` a record with this outcome gets unless told otherwise.
    ///
    /// `info` for the routine (`learned`, `already-learned`, `skipped`); `notice` for `gone`,
    /// a learn that did not happen because the user was faster, which is not an error but worth
    /// a look with `journalctl -p notice`; `error` for `failed`, which lost a user's judgement.
    public var defaultPriority: JournalPriority {
        switch self {
        case .learned, .alreadyLearned, .skipped: .info
        case .gone: .notice
        case .failed: .error
        }
    }
}
