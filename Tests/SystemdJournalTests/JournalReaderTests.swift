import Foundation
import SystemdJournal
import TestSupport
import Testing

/// Reads real journal files that systemd-journal-remote wrote from export text.
@Suite("JournalReader", .requiresJournalRemote)
struct JournalReaderTests {
    static let boot = "0123456789abcdef0123456789abcdef"
    static let start: UInt64 = 1_763_700_000_000_000

    /// Export text of `count` entries starting at index `first`: even ones from dovecot.service,
    /// odd ones from postfix; one more dovecot line logged by a `doveadm` run from a shell.
    static func mixed(first: Int = 0, count: Int) -> [UInt8] {
        var text = ExportText()
        for index in first..<(first + count) {
            let dovecot = index.isMultiple(of: 2)
            text.text("__REALTIME_TIMESTAMP", "\(start + UInt64(index) * 1_000_000)")
            text.text("__MONOTONIC_TIMESTAMP", "\(1_000_000 + UInt64(index) * 1_000_000)")
            text.text("_BOOT_ID", boot)
            text.text("_SYSTEMD_UNIT", dovecot ? "dovecot.service" : "postfix@-.service")
            text.text("SYSLOG_IDENTIFIER", dovecot ? "dovecot" : "postfix/smtpd")
            text.text("MESSAGE", dovecot ? "imap(u\(index)@example.com): copy from Junk: box=INBOX, uid=\(index)" : "connect \(index)")
            text.text("INDEX", "\(index)")
            text.endEntry()
        }
        return text.bytes
    }

    static func indexes(_ reader: JournalReader) throws -> [Int] {
        var seen: [Int] = []
        while try reader.next() {
            seen.append(Int(try reader.text(of: "INDEX") ?? "") ?? -1)
        }
        return seen
    }

    @Test("a match returns only the unit's entries; a disjunction adds another group")
    func matches() async throws {
        let directory = try await JournalFixture.make(exportText: Self.mixed(count: 20))
        defer { JournalFixture.cleanUp(directory) }
        let reader = try JournalReader(.directory(directory))
        try reader.apply(JournalMatch("_SYSTEMD_UNIT=dovecot.service"))
        try reader.seekHead()
        #expect(try Self.indexes(reader) == Array(stride(from: 0, to: 20, by: 2)))

        try reader.apply(JournalMatch([["_SYSTEMD_UNIT=dovecot.service"], ["INDEX=3", "INDEX=5"]]))
        try reader.seekHead()
        #expect(try Self.indexes(reader) == [0, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18])

        // Terms on different fields within one group must all match.
        try reader.apply(JournalMatch([["_SYSTEMD_UNIT=dovecot.service", "INDEX=4"]]))
        try reader.seekHead()
        #expect(try Self.indexes(reader) == [4])
    }

    @Test("a cursor round-trips, and resuming after it goes on with the next entry")
    func cursorResume() async throws {
        let directory = try await JournalFixture.make(exportText: Self.mixed(count: 10))
        defer { JournalFixture.cleanUp(directory) }
        let reader = try JournalReader(.directory(directory))
        try reader.apply(JournalMatch("_SYSTEMD_UNIT=dovecot.service"))
        try reader.seekHead()
        for _ in 0..<3 { #expect(try reader.next()) }
        let cursor = try reader.cursor()
        #expect(try reader.test(cursor: cursor))
        #expect(try reader.text(of: "INDEX") == "4")

        let resumed = try JournalReader(.directory(directory))
        try resumed.apply(JournalMatch("_SYSTEMD_UNIT=dovecot.service"))
        try resumed.seek(after: cursor)
        #expect(try resumed.test(cursor: cursor))
        #expect(try Self.indexes(resumed) == [6, 8])

        // The cursor of an entry is the same whoever reads it, and names its time.
        let entry = try reader.entry()
        #expect(entry.cursor == cursor)
        #expect(entry.realtime == Self.start + 4_000_000)
        #expect(entry.text("MESSAGE") == "imap(u4@example.com): copy from Junk: box=INBOX, uid=4")
    }

    @Test("seeking by time starts at the first entry at or after it; tail is the last entry")
    func seekTime() async throws {
        let directory = try await JournalFixture.make(exportText: Self.mixed(count: 10))
        defer { JournalFixture.cleanUp(directory) }
        let reader = try JournalReader(.directory(directory))
        try reader.seek(realtime: Self.start + 6_500_000)
        #expect(try Self.indexes(reader) == [7, 8, 9])
        try reader.seekTail()
        #expect(try reader.text(of: "INDEX") == "9")
        #expect(try reader.next() == false)
        try reader.seekHead()
        #expect(try reader.next())
        #expect(try reader.text(of: "INDEX") == "0")
        #expect(try reader.previous() == false)
    }

    @Test("a follower sees a batch appended after it started waiting")
    func follow() async throws {
        let directory = try await JournalFixture.make(exportText: Self.mixed(count: 4))
        defer { JournalFixture.cleanUp(directory) }
        let reader = try JournalReader(.directory(directory))
        try reader.apply(JournalMatch("_SYSTEMD_UNIT=dovecot.service"))
        try reader.seekTail()
        #expect(try reader.text(of: "INDEX") == "2")
        #expect(try reader.next() == false)

        let writer = Task.detached {
            try await Task.sleep(for: .milliseconds(300))
            try await JournalFixture.append(exportText: Self.mixed(first: 4, count: 4), to: directory, file: "second")
        }
        var seen: [Int] = []
        let deadline = ContinuousClock.now + .seconds(15)
        while seen.count < 2 && ContinuousClock.now < deadline {
            let change = try await reader.waitForChange(timeout: .seconds(2))
            if change != .nothing { seen += try Self.indexes(reader) }
        }
        try await writer.value
        #expect(seen == [4, 6])
    }

    @Test("a cancelled wait ends with CancellationError instead of waiting on")
    func cancelWait() async throws {
        let directory = try await JournalFixture.make(exportText: Self.mixed(count: 2))
        defer { JournalFixture.cleanUp(directory) }
        let waiter = Task {
            let reader = try JournalReader(.directory(directory))
            // Nothing will be appended: only cancellation ends this wait before its long timeout,
            // which would return `.nothing` and fail the expectation below.
            return try await reader.waitForChange(timeout: .seconds(300))
        }
        try await Task.sleep(for: .milliseconds(200))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }

    @Test("a cursor of another journal, or a garbled one, is a clear error")
    func foreignCursor() async throws {
        let first = try await JournalFixture.make(exportText: Self.mixed(count: 4))
        defer { JournalFixture.cleanUp(first) }
        let second = try await JournalFixture.make(exportText: Self.mixed(first: 100, count: 4))
        defer { JournalFixture.cleanUp(second) }
        let one = try JournalReader(.directory(first))
        try one.seekHead()
        _ = try one.next()
        let cursor = try one.cursor()

        let other = try JournalReader(.directory(second))
        #expect(throws: JournalError.cursorNotFound(cursor)) { try other.seek(after: cursor) }
        #expect(throws: JournalError.invalidCursor("not-a-cursor")) { try other.seek(after: "not-a-cursor") }
        #expect(JournalError.cursorNotFound(cursor).description.contains("vacuumed, or from another journal"))
    }

    @Test("binary fields come back byte for byte")
    func binary() async throws {
        var text = ExportText()
        let value: [UInt8] = [0x00, 0xff, 0x0a, 0x41, 0x0a, 0x00]
        text.text("__REALTIME_TIMESTAMP", "\(Self.start)")
        text.text("__MONOTONIC_TIMESTAMP", "1000")
        text.text("_BOOT_ID", Self.boot)
        text.text("MESSAGE", "binary")
        text.binary("PAYLOAD", value)
        text.endEntry()
        let directory = try await JournalFixture.make(exportText: text.bytes)
        defer { JournalFixture.cleanUp(directory) }
        let reader = try JournalReader(.directory(directory))
        try reader.seekHead()
        #expect(try reader.next())
        #expect(try reader.value(of: "PAYLOAD") == value)
        #expect(try reader.value(of: "ABSENT") == nil)
        #expect(try reader.entry()["PAYLOAD"] == value)
    }

    @Test("a directory without journal files, or none at all, is a clear error")
    func emptyDirectory() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-empty-\(UUID())").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: JournalError.noJournalFiles(empty)) { try JournalReader(.directory(empty)) }
        let missing = empty + "/missing"
        let error = #expect(throws: JournalError.self) { try JournalReader(.directory(missing)) }
        #expect(error?.description == "sd_journal_open_directory(\(missing)) failed: No such file or directory (ENOENT)")
    }

    @Test("a match that is not FIELD=value, or a lowercase field, is refused", arguments: [
        "dovecot.service", "_systemd_unit=dovecot.service", "=x", "UNIT-NAME=x",
    ])
    func badMatch(term: String) throws {
        #expect(throws: JournalError.self) { try JournalMatch(term) }
        let reader = try JournalReader(.local)
        #expect(throws: JournalError.self) { try reader.addMatch(term) }
    }

    @Test("reading before positioning on an entry is an error, not a crash")
    func noEntry() async throws {
        let directory = try await JournalFixture.make(exportText: Self.mixed(count: 1))
        defer { JournalFixture.cleanUp(directory) }
        let reader = try JournalReader(.directory(directory))
        try reader.seekHead()
        #expect(throws: JournalError.self) { try reader.cursor() }
        #expect(throws: JournalError.self) { try reader.value(of: "MESSAGE") }
    }
}
