import Foundation
import JunkwatchCore
import SystemdJournal
import TestSupport
import Testing

@Suite("Reading junkwatch's records back")
struct JournalDecisionReaderTests {
    static let base: UInt64 = 1_763_700_000_000_000

    static func record(_ user: String, _ outcome: DecisionRecord.Outcome, latency: Double = 0.01) -> DecisionRecord {
        DecisionRecord(
            user: user,
            verdict: .spam,
            mailbox: "Junk",
            uid: 1,
            learner: "rspamd",
            outcome: outcome,
            reason: "copied from INBOX into Junk\nsecond line",
            latency: latency
        )
    }

    /// Records of alice and bob, a notice, and entries that are not junkwatch's records.
    static let entries: [(realtime: UInt64, fields: [JournalField])] = [
        (base, record("alice", .learned).journalFields()),
        (base + 1_000_000, record("bob", .failed).journalFields()),
        (base + 2_000_000, JournalNotice.suppressed(unit: "dovecot.service", count: 7).journalFields),
        // Another program that happens to use a junkwatch MESSAGE_ID: not junkwatch's.
        (
            base + 3_000_000,
            [
                JournalField(name: "MESSAGE", text: "x"), JournalMessageID.learned.field,
                JournalField(name: "SYSLOG_IDENTIFIER", text: "other"),
            ]
        ),
        // junkwatch's own log line, not a record.
        (
            base + 4_000_000,
            [
                JournalField(name: "MESSAGE", text: "started"),
                JournalField(name: "SYSLOG_IDENTIFIER", text: "junkwatch"),
            ]
        ),
        (base + 5_000_000, record("alice", .alreadyLearned).journalFields()),
    ]

    static func collect(_ input: JournalInput, user: String? = nil) throws -> (users: [String], notices: Int, read: Int)
    {
        var reader = JournalDecisionReader(input: input, user: user)
        var users: [String] = []
        var notices = 0
        try reader.read { item in
            switch item {
            case .record(let record, let realtime):
                #expect(realtime != nil)
                #expect(record.reason == "copied from INBOX into Junk\nsecond line")
                users.append(record.user)
            case .notice: notices += 1
            }
        }
        return (users, notices, reader.entriesRead)
    }

    static func withStream<Result>(_ bytes: [UInt8], _ body: (Int32) throws -> Result) throws -> Result {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-records-\(UUID()).export")
            .path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        return try body(descriptor)
    }

    @Test("the match: junkwatch's identifier with the outcome IDs (and the user), or with the notice IDs")
    func match() throws {
        let match = try JournalDecisionReader.match(user: "dave smith")
        #expect(match.groups.count == 2)
        #expect(match.groups[0].first == "SYSLOG_IDENTIFIER=junkwatch")
        #expect(match.groups[0].contains("MESSAGE_ID=a10e30b5feda48e0b4c356057c9ac95e"))
        #expect(match.groups[0].last == "JUNKWATCH_USER=dave smith")
        #expect(
            match.groups[1] == ["SYSLOG_IDENTIFIER=junkwatch"] + JournalMessageID.notices.map { "MESSAGE_ID=\($0)" }
        )
    }

    @Test("from an export stream: records and notices, nothing else")
    func stream() throws {
        let bytes = ExportText.entries(Self.entries)
        let all = try Self.withStream(bytes) { try Self.collect(.stream(fileDescriptor: $0, format: nil)) }
        #expect(all.users == ["alice", "bob", "alice"])
        #expect(all.notices == 1)
        let bob = try Self.withStream(bytes) {
            try Self.collect(.stream(fileDescriptor: $0, format: .export), user: "bob")
        }
        #expect(bob.users == ["bob"])
        #expect(bob.notices == 1)
        let late = try Self.withStream(bytes) {
            try Self.collect(
                .stream(fileDescriptor: $0, format: nil, since: Self.base + 1_000_000, until: Self.base + 4_000_000)
            )
        }
        #expect(late.users == ["bob"])
    }

    @Test("from a journal directory, through libsystemd's match", .requiresJournalRemote)
    func journal() async throws {
        let directory = try await JournalFixture.make(exportText: ExportText.entries(Self.entries))
        defer { JournalFixture.cleanUp(directory) }
        let all = try Self.collect(.journal(.directory(directory)))
        #expect(all.users == ["alice", "bob", "alice"])
        #expect(all.notices == 1)
        // journald's own match leaves out the other program's entry and junkwatch's log line.
        #expect(all.read == 4)
        let alice = try Self.collect(.journal(.directory(directory), since: Self.base + 1), user: "alice")
        #expect(alice.users == ["alice"])
        #expect(alice.notices == 1)
        let none = try Self.collect(.journal(.directory(directory), since: Self.base + 6_000_000))
        #expect(none.users.isEmpty && none.read == 0)
    }

    @Test("plain lines are refused with a reason")
    func lines() {
        var reader = JournalDecisionReader(input: .lines(fileDescriptor: 0))
        #expect(throws: JournalDecisionReaderError.self) { try reader.read { _ in } }
    }
}
