import Foundation
import JunkwatchCore
import Synchronization
import SystemdJournal
import Testing

/// A journal that keeps what it is sent, or refuses it.
final class RecordingSink: JournalSink {
    let entries = Mutex<[[JournalField]]>([])
    let failure: (any Error)?

    init(failing failure: (any Error)? = nil) {
        self.failure = failure
    }

    func send(_ fields: [JournalField]) throws {
        if let failure { throw failure }
        entries.withLock { $0.append(fields) }
    }

    var sent: [JournalEntry] { entries.withLock { $0.map { JournalEntry(fields: $0) } } }
}

@Suite("Journal notices and the reporter")
struct JournalNoticeTests {
    static let notices: [JournalNotice] = [
        .suppressed(unit: "dovecot.service", count: 1234),
        .suppressed(unit: "dovecot.service", count: 1),
        .cursorLost(savedCursor: "s=abc;i=99", resumedRealtime: 1_763_700_000_000_000),
        .cursorLost(savedCursor: "s=abc;i=99", resumedRealtime: nil),
        .transientFailure(learner: "rspamd", reason: "connection refused\n(127.0.0.1:11334)", retryIn: .seconds(30)),
        .transientFailure(learner: "doveadm", reason: "exit 75", retryIn: .milliseconds(1500), user: "dave smith"),
    ]

    @Test("a notice reads back from its fields", arguments: notices)
    func roundTrip(_ notice: JournalNotice) throws {
        let entry = JournalEntry(fields: notice.journalFields)
        #expect(JournalNotice(journalEntry: entry) == notice)
        #expect(entry.text("MESSAGE_ID") == notice.messageID.rawValue)
        #expect(entry.text("SYSLOG_IDENTIFIER") == "junkwatch")
        #expect(entry.text("PRIORITY") == "4")
        let message = try #require(entry.text("MESSAGE"))
        #expect(!message.contains("\n"))
        #expect(DecisionRecord(journalEntry: entry) == nil)
    }

    @Test("the suppressed notice names the unit and the count in fields and words")
    func suppressed() {
        let entry = JournalEntry(fields: JournalNotice.suppressed(unit: "dovecot.service", count: 1234).journalFields)
        #expect(entry.text("JUNKWATCH_UNIT") == "dovecot.service")
        #expect(entry.text("JUNKWATCH_SUPPRESSED") == "1234")
        #expect(entry.text("MESSAGE")?.hasPrefix("journald suppressed 1234 messages from dovecot.service") == true)
    }

    @Test("the waiting notice has the learner, the reason and the retry in seconds")
    func transient() {
        let notice = JournalNotice.transientFailure(learner: "rspamd", reason: "HTTP 503", retryIn: .milliseconds(1500))
        let entry = JournalEntry(fields: notice.journalFields)
        #expect(entry.text("JUNKWATCH_LEARNER") == "rspamd")
        #expect(entry.text("JUNKWATCH_REASON") == "HTTP 503")
        #expect(entry.text("JUNKWATCH_RETRY_IN") == "1.5")
        #expect(
            entry.text("MESSAGE")
                == "rspamd is failing: HTTP 503; retrying in 1.5 s, holding the journal position so nothing is lost"
        )
    }

    @Test("the reporter sends a record's fields and a notice's")
    func reporter() throws {
        let sink = RecordingSink()
        let reporter = JournalDecisionReporter(sink: sink)
        try reporter.report(DecisionRecordJournalTests.record)
        try reporter.report(DecisionRecordJournalTests.record, priority: .debug)
        try reporter.report(.cursorLost(savedCursor: "s=1", resumedRealtime: nil))
        let sent = sink.sent
        #expect(sent.count == 3)
        #expect(DecisionRecord(journalEntry: sent[0]) == DecisionRecordJournalTests.record)
        #expect(sent[1].text("PRIORITY") == "7")
        #expect(JournalNotice(journalEntry: sent[2]) == .cursorLost(savedCursor: "s=1", resumedRealtime: nil))
    }

    @Test("a refused entry is an error that says what was lost and where to look")
    func reporterError() throws {
        let sink = RecordingSink(failing: JournalError.call(function: "sd_journal_sendv", errno: ENOENT, detail: nil))
        let reporter = JournalDecisionReporter(sink: sink)
        let error = try #require(throws: JournalReportError.self) {
            try reporter.report(DecisionRecordJournalTests.record)
        }
        #expect(
            error.description
                == "cannot write the decision record for alice@example.com to the journal: sd_journal_sendv failed: "
                + "No such file or directory (ENOENT) (is systemd-journald running, listening on "
                + "/run/systemd/journal/socket?)"
        )
        let notice = try #require(throws: JournalReportError.self) {
            try reporter.report(.transientFailure(learner: "rspamd", reason: "x", retryIn: .seconds(1)))
        }
        #expect(notice.description.hasPrefix("cannot write the notice that rspamd is failing to the journal"))
    }
}
