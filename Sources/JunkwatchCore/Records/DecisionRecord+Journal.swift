public import SystemdJournal

extension DecisionRecord {
    /// The record as a journal entry: `SYSLOG_IDENTIFIER=junkwatch`, `MESSAGE` (the `text` line),
    /// `MESSAGE_ID` of the outcome, `PRIORITY`, and one `JUNKWATCH_*` field per item of the record
    /// (see `JunkwatchField`); items without a value are left out.
    ///
    /// Values are sent as they are, newlines and any bytes included; `MESSAGE` is one line.
    /// - Parameter priority: the entry's priority; `nil` takes `Outcome.defaultPriority`
    ///   (`info` for a record without an outcome).
    public func journalFields(priority: JournalPriority? = nil) -> [JournalField] {
        typealias Field = JunkwatchField
        var fields: [JournalField] = []
        fields.reserveCapacity(18)
        fields.append(JournalField(name: "MESSAGE", text: text))
        if let outcome { fields.append(outcome.messageID.field) }
        fields.append((priority ?? outcome?.defaultPriority ?? .info).field)
        fields.append(JournalField(name: "SYSLOG_IDENTIFIER", text: Field.syslogIdentifier))
        fields.append(JournalField(name: Field.user, text: user))
        fields.append(JournalField(name: Field.verdict, text: verdict.rawValue))
        fields.append(JournalField(name: Field.mailbox, text: mailbox))
        if let uid { fields.append(JournalField(name: Field.uid, text: String(uid))) }
        if !msgid.isEmpty { fields.append(JournalField(name: Field.msgid, text: msgid)) }
        if let size { fields.append(JournalField(name: Field.size, text: String(size))) }
        if let learner { fields.append(JournalField(name: Field.learner, text: learner)) }
        if let outcome { fields.append(JournalField(name: Field.outcome, text: outcome.rawValue)) }
        fields.append(JournalField(name: Field.reason, text: reason))
        if let sourceCursor { fields.append(JournalField(name: Field.sourceCursor, text: sourceCursor)) }
        if let sourceRealtime { fields.append(JournalField(name: Field.sourceRealtime, text: String(sourceRealtime))) }
        if let latency, let seconds = Field.decimal(seconds: latency) {
            fields.append(JournalField(name: Field.latency, text: seconds))
        }
        if let filter { fields.append(JournalField(name: Field.filter, text: filter)) }
        if let rule { fields.append(JournalField(name: Field.rule, text: rule)) }
        return fields
    }

    /// The record a journal entry holds, as `journalFields(priority:)` wrote it; `nil` when the
    /// entry is not a decision record (no `JUNKWATCH_USER`, no valid `JUNKWATCH_VERDICT`, or an
    /// outcome that is not one of the five).
    ///
    /// The outcome comes from `JUNKWATCH_OUTCOME`, else from `MESSAGE_ID`. A latency reads back
    /// to the microsecond. Values that are not valid UTF-8 are repaired with U+FFFD.
    public init?(journalEntry entry: JournalEntry) {
        typealias Field = JunkwatchField
        var user: String?
        var verdict: Verdict.Kind?
        var mailbox = ""
        var uid: UInt32?
        var msgid = ""
        var size: Int?
        var learner: String?
        var outcomeText: String?
        var messageID: JournalMessageID?
        var reason = ""
        var sourceCursor: String?
        var sourceRealtime: UInt64?
        var latency: Double?
        var filter: String?
        var rule: String?
        // One pass over the fields: an entry from `JournalReader.entry()` has twenty or more,
        // most of them journald's own.
        for field in entry.fields {
            func text() -> String { String(decoding: field.value, as: UTF8.self) }
            switch field.name {
            case "MESSAGE_ID": messageID = JournalMessageID(rawValue: text())
            case Field.user where user == nil: user = text()
            case Field.verdict where verdict == nil:
                guard let kind = Verdict.Kind(rawValue: text()) else { return nil }
                verdict = kind
            case Field.mailbox: mailbox = text()
            case Field.uid: uid = UInt32(text())
            case Field.msgid: msgid = text()
            case Field.size: size = Int(text())
            case Field.learner: learner = text()
            case Field.outcome: outcomeText = text()
            case Field.reason: reason = text()
            case Field.sourceCursor: sourceCursor = text()
            case Field.sourceRealtime: sourceRealtime = UInt64(text())
            case Field.latency: latency = Double(text()).flatMap { $0.isFinite ? $0 : nil }
            case Field.filter: filter = text()
            case Field.rule: rule = text()
            default: continue
            }
        }
        guard let user, let verdict else { return nil }
        let outcome: Outcome?
        if let outcomeText {
            guard let named = Outcome(rawValue: outcomeText) else { return nil }
            outcome = named
        } else if let messageID {
            // A notice's ID is no outcome; neither is another program's.
            guard let identified = Outcome(messageID: messageID) else { return nil }
            outcome = identified
        } else {
            outcome = nil
        }
        self.init(
            user: user,
            verdict: verdict,
            mailbox: mailbox,
            uid: uid,
            msgid: msgid,
            size: size,
            learner: learner,
            outcome: outcome,
            reason: reason,
            sourceCursor: sourceCursor,
            sourceRealtime: sourceRealtime,
            latency: latency,
            filter: filter,
            rule: rule
        )
    }
}
