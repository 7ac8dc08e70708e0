import Foundation
import SystemdJournal
import TestSupport
import Testing

@testable import JunkwatchCore

/// The scanner over real journals, reading ahead on a second thread or not: the same lines,
/// events and cursors either way.
@Suite("EntryScanner reading ahead", .requiresJournalRemote)
struct EntryScannerReadAheadTests {
    static let start: UInt64 = 1_763_700_000_000_000

    /// Export text of `count` entries: mail_log lines of dovecot (copies, expunges, logins, a line
    /// too long to match, one without MESSAGE), and lines of other units in between.
    static func journal(count: Int) -> [UInt8] {
        var text = ExportText()
        for index in 0..<count {
            text.text("__REALTIME_TIMESTAMP", "\(start + UInt64(index) * 1_000)")
            text.text("__MONOTONIC_TIMESTAMP", "\(1_000_000 + UInt64(index) * 1_000)")
            text.text("_BOOT_ID", "0123456789abcdef0123456789abcdef")
            let dovecot = index % 7 != 3
            text.text("_SYSTEMD_UNIT", dovecot ? "dovecot.service" : "cron.service")
            text.text("SYSLOG_IDENTIFIER", dovecot ? "dovecot" : "CRON")
            let session = "imap(user\(index % 13)@example.com)<\(1000 + index)><s\(index)>: "
            switch index % 11 {
            case 0: text.text("MESSAGE", session + "Disconnected: Logged out in=1 out=2")
            case 1: text.text("MESSAGE", session + "expunge: box=Junk, uid=\(index), msgid=<m\(index)@x>, size=10")
            case 2:
                text.text("MESSAGE", session + "copy from INBOX: box=Junk, uid=\(index), msgid=<m\(index)@x>, size=9")
            case 4:
                text.text(
                    "MESSAGE",
                    session + "copy from Junk: box=INBOX, uid=\(index), msgid=, size="
                        + String(repeating: "9", count: 20_000)
                )
            case 5: text.text("PRIORITY", "6")  // no MESSAGE at all
            default:
                text.text(
                    "MESSAGE",
                    session + "copy from Junk: box=INBOX, uid=\(index), msgid=<m\(index / 2)@x>, size=\(index)"
                )
            }
            text.endEntry()
        }
        return text.bytes
    }

    /// Everything a scan hands its body, as comparable text.
    static func scan(
        _ input: JournalInput,
        readsAhead: Bool,
        keepLines: Bool = false,
        stopAfter limit: Int = .max,
        slowly: Bool = false
    ) throws -> (lines: [String], entriesRead: Int, parsedAhead: Int) {
        var scanner = EntryScanner(input: input, filters: try shippedFilters("dovecot-mail-log"), keepLines: keepLines)
        scanner.readsAhead = readsAhead
        var lines: [String] = []
        try scanner.run { scanned in
            lines.append("\(scanned.realtime ?? 0) \(scanned.outcome) \(scanned.line ?? "-")")
            // A scanner that falls behind, so that the reading thread parses batches too.
            if slowly && lines.count % 2_000 == 0 { usleep(20_000) }
            return lines.count < limit
        }
        return (lines, scanner.entriesRead, scanner.batchesParsedAhead)
    }

    /// Where two scans part, if they do: a short failure message instead of two long arrays.
    static func firstDifference(_ left: [String], _ right: [String]) -> String? {
        if let index = left.indices.first(where: { $0 < right.count && left[$0] != right[$0] }) {
            return "entry \(index): \(left[index]) vs \(right[index])"
        }
        return left.count == right.count ? nil : "\(left.count) vs \(right.count) entries"
    }

    @Test("the same entries, events, cursors and lines, across many batches")
    func agreement() async throws {
        let directory = try await JournalFixture.make(exportText: Self.journal(count: 10_000))
        defer { JournalFixture.cleanUp(directory) }
        for keepLines in [false, true] {
            let input = JournalInput.journal(.directory(directory))
            let ahead = try Self.scan(input, readsAhead: true, keepLines: keepLines)
            let inPlace = try Self.scan(input, readsAhead: false, keepLines: keepLines)
            #expect(ahead.entriesRead == inPlace.entriesRead)
            #expect(Self.firstDifference(ahead.lines, inPlace.lines) == nil)
            // What the journal's match selected: every dovecot entry, with and without a line.
            #expect(ahead.entriesRead == (0..<10_000).filter { $0 % 7 != 3 }.count)
            #expect(ahead.lines.contains { $0.contains("cursor: Optional(\"s=") })
            #expect(ahead.lines.contains { $0.contains("the line is too long") })
            #expect(ahead.lines.contains { $0.contains("the entry has no MESSAGE field") })
        }
    }

    @Test("batches the reading thread parses itself, the scanner being behind, come out the same")
    func parsedAhead() async throws {
        let directory = try await JournalFixture.make(exportText: Self.journal(count: 16_000))
        defer { JournalFixture.cleanUp(directory) }
        for keepLines in [false, true] {
            let input = JournalInput.journal(.directory(directory))
            let ahead = try Self.scan(input, readsAhead: true, keepLines: keepLines, slowly: true)
            let inPlace = try Self.scan(input, readsAhead: false, keepLines: keepLines)
            #expect(ahead.parsedAhead > 0, "the reading thread never parsed a batch: the test proves nothing")
            #expect(ahead.entriesRead == inPlace.entriesRead)
            #expect(Self.firstDifference(ahead.lines, inPlace.lines) == nil)
        }
    }

    @Test("since and until bound the entries read")
    func bounds() async throws {
        let directory = try await JournalFixture.make(exportText: Self.journal(count: 6_000))
        defer { JournalFixture.cleanUp(directory) }
        let input = JournalInput.journal(
            .directory(directory),
            since: Self.start + 1_000 * 1_000,
            until: Self.start + 5_500 * 1_000
        )
        let ahead = try Self.scan(input, readsAhead: true)
        let inPlace = try Self.scan(input, readsAhead: false)
        #expect(Self.firstDifference(ahead.lines, inPlace.lines) == nil)
        #expect(ahead.entriesRead == (1_000...5_500).filter { $0 % 7 != 3 }.count)
    }

    @Test("a body that stops early: the entries it saw, counted as read, and no more")
    func earlyStop() async throws {
        let directory = try await JournalFixture.make(exportText: Self.journal(count: 10_000))
        defer { JournalFixture.cleanUp(directory) }
        let input = JournalInput.journal(.directory(directory))
        let ahead = try Self.scan(input, readsAhead: true, stopAfter: 5_000)
        let inPlace = try Self.scan(input, readsAhead: false, stopAfter: 5_000)
        #expect(ahead.entriesRead == 5_000)
        #expect(Self.firstDifference(ahead.lines, inPlace.lines) == nil)
    }

    @Test("a journal that cannot be read fails the scan with the reader's error")
    func unreadable() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent(
            "junkwatch-empty-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        for readsAhead in [true, false] {
            let error = #expect(throws: JournalError.self) {
                _ = try Self.scan(.journal(.directory(empty.path)), readsAhead: readsAhead)
            }
            #expect(error == .noJournalFiles(empty.path))
            #expect(error.map(String.init(describing:)) == "no journal files in \(empty.path)")
        }
    }
}
