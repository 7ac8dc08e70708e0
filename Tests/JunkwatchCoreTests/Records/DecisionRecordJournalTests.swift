import Foundation
import JunkwatchCore
import SystemdJournal
import TestSupport
import Testing

@Suite("Decision records in the journal")
struct DecisionRecordJournalTests {
    static let record = DecisionRecord(
        user: "alice@example.com",
        verdict: .spam,
        mailbox: "Junk",
        uid: 7,
        msgid: "<m1@x>",
        size: 364,
        learner: "rspamd",
        outcome: .learned,
        reason: "copied from INBOX into Junk",
        sourceCursor: "s=abc;i=1",
        sourceRealtime: 1_763_700_000_000_000,
        latency: 0.0123,
        filter: "dovecot-mail-log",
        rule: "copy"
    )

    @Test("the MESSAGE_IDs are the fixed ones, distinct, 32 lowercase hex digits")
    func messageIDs() {
        let fixed: [(JournalMessageID, String)] = [
            (.learned, "d134029ba22840eda53064ef2c82bb60"),
            (.alreadyLearned, "6687f49a48bc41cdb39c4a1b8ee42e3a"),
            (.skipped, "be96ab89c3ea40b59e426c77eda083fd"),
            (.gone, "074eb2abad6b4a0aa642c3ca391aa491"),
            (.failed, "a10e30b5feda48e0b4c356057c9ac95e"),
            (.journalSuppressed, "0e10259700d54d1c80785ad1ac3526ae"),
            (.cursorLost, "76ab99792dc8462ba58a2d54c5ca2641"),
            (.transientFailure, "ddc1e3c5dee9420da81e746630f44465"),
        ]
        for (id, raw) in fixed { #expect(id.rawValue == raw) }
        #expect(JournalMessageID.all.map(\.rawValue) == fixed.map(\.1))
        #expect(Set(JournalMessageID.all).count == 8)
        #expect(JournalMessageID.decisions == [.learned, .alreadyLearned, .skipped, .gone, .failed])
        #expect(JournalMessageID(rawValue: "D134029BA22840EDA53064EF2C82BB60") == .learned)
        #expect(JournalMessageID(rawValue: "d134029ba22840eda53064ef2c82bb6") == nil)
        #expect(JournalMessageID(rawValue: "d134029ba22840eda53064ef2c82bb6g") == nil)
    }

    @Test("each outcome has its MESSAGE_ID and back", arguments: DecisionRecord.Outcome.allCases)
    func outcomeMessageID(_ outcome: DecisionRecord.Outcome) {
        #expect(DecisionRecord.Outcome(messageID: outcome.messageID) == outcome)
    }

    @Test("a notice's MESSAGE_ID is no outcome", arguments: JournalMessageID.notices)
    func noticeIsNoOutcome(_ id: JournalMessageID) {
        #expect(DecisionRecord.Outcome(messageID: id) == nil)
    }

    @Test("fields: identifier, one-line MESSAGE, MESSAGE_ID, PRIORITY and one JUNKWATCH_* per item")
    func fields() {
        let fields = Self.record.journalFields()
        let pairs = fields.map { ($0.name, $0.text ?? "") }
        #expect(
            pairs.map(\.0) == [
                "MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_IDENTIFIER",
                "JUNKWATCH_USER", "JUNKWATCH_VERDICT", "JUNKWATCH_MAILBOX", "JUNKWATCH_UID", "JUNKWATCH_MSGID",
                "JUNKWATCH_SIZE", "JUNKWATCH_LEARNER", "JUNKWATCH_OUTCOME", "JUNKWATCH_REASON",
                "JUNKWATCH_SOURCE_CURSOR", "JUNKWATCH_SOURCE_REALTIME", "JUNKWATCH_LATENCY", "JUNKWATCH_FILTER",
                "JUNKWATCH_RULE",
            ]
        )
        let values = Dictionary(uniqueKeysWithValues: pairs)
        #expect(values["MESSAGE"] == Self.record.text)
        #expect(values["MESSAGE_ID"] == "d134029ba22840eda53064ef2c82bb60")
        #expect(values["PRIORITY"] == "6")
        #expect(values["SYSLOG_IDENTIFIER"] == "junkwatch")
        #expect(values["JUNKWATCH_UID"] == "7")
        #expect(values["JUNKWATCH_SIZE"] == "364")
        #expect(values["JUNKWATCH_OUTCOME"] == "learned")
        #expect(values["JUNKWATCH_SOURCE_REALTIME"] == "1763700000000000")
        #expect(values["JUNKWATCH_LATENCY"] == "0.0123")
        // Every name is one journald takes from a client.
        for field in fields { #expect(throws: Never.self) { try JournalFieldName.validate(field.name) } }
    }

    @Test("absent items are left out; a Message-ID that is empty is absent")
    func absentItems() {
        let bare = DecisionRecord(user: "bob", verdict: .ham, mailbox: "INBOX", outcome: .gone, reason: "gone")
        let names = bare.journalFields().map(\.name)
        #expect(
            names == [
                "MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_IDENTIFIER", "JUNKWATCH_USER", "JUNKWATCH_VERDICT",
                "JUNKWATCH_MAILBOX", "JUNKWATCH_OUTCOME", "JUNKWATCH_REASON",
            ]
        )
        let dry = DecisionRecord(user: "bob", verdict: .ham, mailbox: "INBOX", reason: "dry")
        #expect(!dry.journalFields().map(\.name).contains("MESSAGE_ID"))
    }

    @Test(
        "priority: info for the routine, notice for gone, err for failed; or as asked",
        arguments: [
            (DecisionRecord.Outcome.learned, "6"), (.alreadyLearned, "6"), (.skipped, "6"), (.gone, "5"),
            (.failed, "3"),
        ]
    )
    func priority(_ outcome: DecisionRecord.Outcome, _ expected: String) {
        var record = Self.record
        record.outcome = outcome
        #expect(record.journalFields().first { $0.name == "PRIORITY" }?.text == expected)
        #expect(record.journalFields(priority: .warning).first { $0.name == "PRIORITY" }?.text == "4")
    }

    static let oddRecords: [DecisionRecord] = [
        DecisionRecord(
            user: "dave smith@example.net",
            verdict: .ham,
            mailbox: "Spam, Reports",
            uid: 1,
            msgid: "",
            learner: "rspamd-fuzzy",
            outcome: .alreadyLearned,
            reason: "copied out of Junk into INBOX"
        ),
        DecisionRecord(
            user: "carol.o'neil+tag@example.org",
            verdict: .spam,
            mailbox: "Müll",
            uid: 4_294_967_295,
            msgid: "<\u{1F4A9}@bücher.example>",
            size: 0,
            learner: "spamassassin",
            outcome: .failed,
            reason: "sa-learn exited 2:\nERROR: the Bayes database is locked\n",
            latency: 3600.5
        ),
        DecisionRecord(
            user: "x$(reboot)`id`;\"q\"",
            verdict: .spam,
            mailbox: "INBOX/Junk \\ \"",
            outcome: .skipped,
            reason: "too large: 30000000 bytes > 20971520",
            sourceCursor: "s=1;i=2;b=3;m=4;t=5;x=6",
            sourceRealtime: 0,
            latency: 0.000001,
            filter: "dovecot-2.4",
            rule: "save"
        ),
        DecisionRecord(
            user: "ユーザー@例え.jp",
            verdict: .ham,
            mailbox: "Входящие",
            learner: "rspamd",
            outcome: .learned,
            reason: "flagged $NotJunk",
            latency: -0.25
        ),
    ]

    @Test("fields read back to the same record", arguments: oddRecords)
    func roundTrip(_ record: DecisionRecord) throws {
        let entry = JournalEntry(fields: record.journalFields())
        #expect(DecisionRecord(journalEntry: entry) == record)
        let message = try #require(entry.text("MESSAGE"))
        #expect(!message.contains("\n"))
    }

    @Test("through journalctl's export format, binary fields for newlines, to the same record", arguments: oddRecords)
    func exportRoundTrip(_ record: DecisionRecord) throws {
        var export = ExportText()
        export.text("__REALTIME_TIMESTAMP", "1763700000000000")
        for field in record.journalFields() {
            if field.value.contains(UInt8(ascii: "\n")) {
                export.binary(field.name, field.value)
            } else {
                export.text(field.name, field.text ?? "")
            }
        }
        export.text("_PID", "42")
        export.endEntry()
        var decoder = ExportDecoder(bytes: export.bytes)
        let entry = try #require(try decoder.next())
        #expect(DecisionRecord(journalEntry: entry) == record)
    }

    @Test("latency reads back to the microsecond")
    func latencyPrecision() {
        var record = Self.record
        record.latency = 1.23456789
        let decoded = DecisionRecord(journalEntry: JournalEntry(fields: record.journalFields()))
        #expect(decoded?.latency == 1.234568)
    }

    @Test(
        "seconds as decimals",
        arguments: [
            (0.0123, "0.0123"), (2, "2"), (1e-5, "0.00001"), (-0.5, "-0.5"), (0, "0"), (1.0000004, "1"),
            (86_400.25, "86400.25"), (-1e-7, "0"),
        ]
    )
    func decimals(_ seconds: Double, _ expected: String) {
        #expect(JunkwatchField.decimal(seconds: seconds) == expected)
    }

    @Test("no decimal for infinity and NaN")
    func nonFinite() {
        #expect(JunkwatchField.decimal(seconds: .infinity) == nil)
        #expect(JunkwatchField.decimal(seconds: .nan) == nil)
        var record = Self.record
        record.latency = .nan
        #expect(!record.journalFields().map(\.name).contains("JUNKWATCH_LATENCY"))
    }

    @Test("the outcome comes from MESSAGE_ID when JUNKWATCH_OUTCOME is missing")
    func outcomeFromMessageID() {
        var fields = Self.record.journalFields().filter { $0.name != "JUNKWATCH_OUTCOME" }
        fields = fields.map { $0.name == "MESSAGE_ID" ? JournalMessageID.gone.field : $0 }
        #expect(DecisionRecord(journalEntry: JournalEntry(fields: fields))?.outcome == .gone)
    }

    @Test("entries that are not records read as nil")
    func notRecords() {
        let fields = Self.record.journalFields()
        func without(_ name: String) -> JournalEntry { JournalEntry(fields: fields.filter { $0.name != name }) }
        func with(_ name: String, _ value: String) -> JournalEntry {
            JournalEntry(fields: fields.map { $0.name == name ? JournalField(name: name, text: value) : $0 })
        }
        #expect(DecisionRecord(journalEntry: without("JUNKWATCH_USER")) == nil)
        #expect(DecisionRecord(journalEntry: without("JUNKWATCH_VERDICT")) == nil)
        #expect(DecisionRecord(journalEntry: with("JUNKWATCH_VERDICT", "maybe")) == nil)
        #expect(DecisionRecord(journalEntry: with("JUNKWATCH_OUTCOME", "exploded")) == nil)
        let notice = JournalEntry(
            fields: fields.filter { $0.name != "JUNKWATCH_OUTCOME" && $0.name != "MESSAGE_ID" }
                + [JournalMessageID.cursorLost.field]
        )
        #expect(DecisionRecord(journalEntry: notice) == nil)
        #expect(DecisionRecord(journalEntry: JournalEntry(fields: [JournalField(name: "MESSAGE", text: "hi")])) == nil)
    }
}
