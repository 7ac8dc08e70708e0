import Foundation
import JunkwatchCore
import SystemdJournal
import TestSupport
import Testing

/// A replay's decisions over what a real dovecot logged in the testbed, read three ways.
@Suite("EntryScanner")
struct EntryScannerTests {
    /// Every learnable action in the capture, in order: user, verdict, mailbox, uid.
    static let expected: [String] = [
        "alice@example.com spam Junk 1",  // APPEND into Junk
        "alice@example.com spam Junk 2",  // APPEND into Junk
        "alice@example.com ham INBOX 1",  // copy out of Junk
        "alice@example.com spam Junk 3",  // MOVE from INBOX into Junk (its expunge is nothing)
        "alice@example.com spam INBOX 1",  // STORE +FLAGS $Junk (the read that re-logs it is nothing)
        "alice@example.com ham INBOX 1",  // $NotJunk: a reversal
        "dave smith@example.net spam Junk 1",
        "dave smith@example.net ham INBOX 2",
        "x$(reboot)@example.com spam Junk 1",
        "x$(reboot)@example.com ham INBOX 1",
    ]

    static func exportBytes() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "Fixtures/testbed-mail-log", withExtension: "export") else {
            throw FixtureMissing(name: "testbed-mail-log.export")
        }
        return Array(try Data(contentsOf: url))
    }

    static func decisions(_ input: JournalInput) throws -> (lines: [String], read: Int) {
        var scanner = EntryScanner(input: input, filters: try shippedFilters("dovecot-mail-log"))
        var classifier = Classifier()
        var lines: [String] = []
        try scanner.run { scanned in
            if let event = scanned.outcome.event, let verdict = classifier.classify(event).verdict {
                let record = DecisionRecord(verdict: verdict)
                #expect(record.sourceCursor != nil && record.sourceRealtime != nil)
                lines.append("\(record.user) \(record.verdict.rawValue) \(record.mailbox) \(record.uid ?? 0)")
            }
            return true
        }
        return (lines, scanner.entriesRead)
    }

    @Test("a journal directory gives exactly one decision per learnable action", .requiresJournalRemote)
    func journalDirectory() async throws {
        let directory = try await JournalFixture.make(exportText: Self.exportBytes())
        defer { JournalFixture.cleanUp(directory) }
        let (lines, read) = try Self.decisions(.journal(.directory(directory)))
        #expect(lines == Self.expected)
        #expect(read == 105)
    }

    @Test("an export stream on a pipe gives the same decisions")
    func exportStream() throws {
        let bytes = try Self.exportBytes()
        let descriptor = try temporaryFile(bytes)
        defer { close(descriptor) }
        let (lines, read) = try Self.decisions(.stream(fileDescriptor: descriptor, format: nil))
        #expect(lines == Self.expected)
        #expect(read == 105)
    }

    @Test("--since and --until bound a stream by the entries' time")
    func bounds() throws {
        let bytes = try Self.exportBytes()
        var all = ExportDecoder(bytes: bytes)
        let times = try all.decodeAll().compactMap(\.realtime)
        let middle = times[times.count / 2]
        let descriptor = try temporaryFile(bytes)
        defer { close(descriptor) }
        let (_, read) = try Self.decisions(.stream(fileDescriptor: descriptor, format: .export, since: middle))
        #expect(read == times.filter { $0 >= middle }.count)
    }

    @Test("plain lines, as journalctl -o cat prints them, give the same decisions")
    func plainLines() throws {
        var decoder = ExportDecoder(bytes: try Self.exportBytes())
        let text = try decoder.decodeAll().compactMap { $0.text("MESSAGE") }.joined(separator: "\n")
        let descriptor = try temporaryFile(Array(text.utf8))
        defer { close(descriptor) }
        var scanner = EntryScanner(input: .lines(fileDescriptor: descriptor), filters: try shippedFilters("dovecot-mail-log"))
        var classifier = Classifier()
        var verdicts = 0
        try scanner.run { scanned in
            if let event = scanned.outcome.event, classifier.classify(event).verdict != nil { verdicts += 1 }
            return true
        }
        #expect(verdicts == Self.expected.count)
        #expect(scanner.entriesRead == 105)
    }

    @Test("a malformed stream is an error that says where, after the entries before it")
    func malformed() throws {
        let bytes = try Self.exportBytes() + Array("GARBAGE\u{1}\n".utf8)
        let descriptor = try temporaryFile(bytes)
        defer { close(descriptor) }
        var scanner = EntryScanner(input: .stream(fileDescriptor: descriptor, format: .export), filters: try shippedFilters("dovecot-mail-log"))
        var seen = 0
        let error = #expect(throws: JournalError.self) {
            try scanner.run { _ in
                seen += 1
                return true
            }
        }
        #expect(seen == 105)
        #expect(error?.description.contains("malformed journal export stream at byte") == true)
    }

    /// An unlinked temporary file holding `bytes`, opened for reading.
    func temporaryFile(_ bytes: [UInt8]) throws -> Int32 {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-\(UUID())").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        return descriptor
    }
}
