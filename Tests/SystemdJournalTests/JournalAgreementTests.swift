import Testing
import TestSupport

@testable import SystemdJournal

/// A field's values by name, each name's values in order: what survives JSON, whose objects have no order.
private func grouped(_ fields: [JournalField]) -> [String: [[UInt8]]] {
    Dictionary(grouping: fields, by: \.name).mapValues { $0.map(\.value) }
}

/// Three entries with what real journals hold: text, a binary value with a newline, a value that is not
/// UTF-8, an empty value, a repeated field, JSON's special characters, and a value over journalctl's
/// 4096-byte JSON threshold.
private func fixtureText() -> (bytes: [UInt8], fields: [[JournalField]], realtimes: [UInt64]) {
    let boot = "6b9e4c2f0a7d4e1b8c3f5a6d7e8f9a0b"
    let big = String(repeating: "0123456789abcdef", count: 320)
    let entries: [[JournalField]] = [
        [
            JournalField(name: "_BOOT_ID", text: boot),
            JournalField(
                name: "MESSAGE",
                text: "imap(alice@example.com)<16052><qXGocr9gnpJ/AAAB>: copy from Junk: box=INBOX, uid=1"
            ),
            JournalField(name: "_SYSTEMD_UNIT", text: "dovecot.service"),
            JournalField(name: "SYSLOG_IDENTIFIER", text: "dovecot"),
            JournalField(name: "PRIORITY", text: "6"),
            JournalField(name: "_PID", text: "16052"),
            JournalField(name: "MULTI", text: "first line\nsecond line"),
            JournalField(name: "RAW", value: [0xFF, 0xFE, 0x00, 0x41, 0x0A, 0x80]),
            JournalField(name: "EMPTY", value: []),
        ],
        [
            JournalField(name: "_BOOT_ID", text: boot),
            JournalField(
                name: "MESSAGE",
                text: "imap(dave smith@example.net)<1><x>: save: box=Müll, uid=2 \"quoted\" \\ 😀"
            ),
            JournalField(name: "_SYSTEMD_UNIT", text: "dovecot.service"),
            JournalField(name: "TAG", text: "first"),
            JournalField(name: "TAG", text: "second"),
            JournalField(name: "BIG", text: big),
        ],
        [
            JournalField(name: "_BOOT_ID", text: boot),
            JournalField(name: "MESSAGE", text: "tab\there"),
            JournalField(name: "CONTROL", value: [0x01, 0x02, 0x1B]),
        ],
    ]
    let realtimes: [UInt64] = [1_700_000_000_000_000, 1_700_000_000_500_000, 1_700_000_001_000_000]
    var text = ExportText()
    for (index, fields) in entries.enumerated() {
        text.text("__REALTIME_TIMESTAMP", String(realtimes[index]))
        text.text("__MONOTONIC_TIMESTAMP", String(1_000_000 + index * 1000))
        for field in fields {
            // Anything that is not plain text goes binary, as journalctl would write it.
            if let value = field.text, !value.contains("\n"),
                !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" })
            {
                text.text(field.name, value)
            } else {
                text.binary(field.name, field.value)
            }
        }
        text.endEntry()
    }
    return (text.bytes, entries, realtimes)
}

@Suite("Decoders agree with a real journal", .requiresJournalRemote)
struct JournalAgreementTests {
    @Test("export, JSON, json-seq and sd_journal give the same entries, field by field")
    func agreement() async throws {
        let fixture = fixtureText()
        let directory = try await JournalFixture.make(exportText: fixture.bytes)
        defer { JournalFixture.cleanUp(directory) }

        let reader = try JournalReader(.directory(directory))
        try reader.seekHead()
        var read: [JournalEntry] = []
        while try reader.next() { read.append(try reader.entry()) }
        try #require(read.count == fixture.fields.count)
        for (index, entry) in read.enumerated() {
            #expect(grouped(entry.fields) == grouped(fixture.fields[index]), "entry \(index) as libsystemd reads it")
            #expect(entry.realtime == fixture.realtimes[index])
            #expect(entry.monotonic == UInt64(1_000_000 + index * 1000))
        }

        var export = ExportDecoder(bytes: try await JournalFixture.journalctl(directory: directory, ["-o", "export"]))
        let exported = try export.decodeAll()
        // Export keeps the entry's own field order, so this is exact.
        #expect(exported == read)

        // --all: without it journalctl writes null for values over 4096 bytes (checked below).
        var json = JSONEntryDecoder(
            bytes: try await JournalFixture.journalctl(directory: directory, ["-o", "json", "--all"])
        )
        let fromJSON = try json.decodeAll()
        try #require(fromJSON.count == read.count)
        #expect(json.omittedValueCount == 0)
        for (index, entry) in fromJSON.enumerated() {
            #expect(entry.cursor == read[index].cursor)
            #expect(entry.realtime == read[index].realtime)
            #expect(entry.monotonic == read[index].monotonic)
            // JSON objects have no order: compare each field's values, in their own order.
            #expect(grouped(entry.fields) == grouped(read[index].fields), "entry \(index) from JSON")
        }

        let seqBytes = try await JournalFixture.journalctl(directory: directory, ["-o", "json-seq", "--all"])
        var seq = JournalStreamDecoder(bytes: seqBytes)
        let fromSeq = try seq.decodeAll()
        #expect(seq.format == .json)
        // Each run of journalctl orders an object's members afresh: compare without the order again.
        #expect(fromSeq.map { grouped($0.fields) } == read.map { grouped($0.fields) })
        #expect(fromSeq.map(\.cursor) == read.map(\.cursor))
    }

    @Test("without --all, journalctl -o json writes null for a value over 4096 bytes: it is left out")
    func jsonOmitsLargeValues() async throws {
        let fixture = fixtureText()
        let directory = try await JournalFixture.make(exportText: fixture.bytes)
        defer { JournalFixture.cleanUp(directory) }

        var json = JSONEntryDecoder(bytes: try await JournalFixture.journalctl(directory: directory, ["-o", "json"]))
        let entries = try json.decodeAll()
        try #require(entries.count == fixture.fields.count)
        #expect(json.omittedValueCount == 1)
        #expect(entries[1]["BIG"] == nil)
        #expect(grouped(entries[1].fields) == grouped(fixture.fields[1].filter { $0.name != "BIG" }))
        // A value that is not printable UTF-8 comes as an array of bytes, and decodes to the same bytes.
        #expect(entries[0]["RAW"] == [0xFF, 0xFE, 0x00, 0x41, 0x0A, 0x80])
        #expect(entries[2]["CONTROL"] == [0x01, 0x02, 0x1B])
    }

    @Test("journalctl -o export piped into the stream decoder, format detected")
    func exportThroughPipe() async throws {
        let fixture = fixtureText()
        let directory = try await JournalFixture.make(exportText: fixture.bytes)
        defer { JournalFixture.cleanUp(directory) }

        let bytes = try await JournalFixture.journalctl(directory: directory, ["-o", "export"])
        let entries = try PipeFeeder.withReadEnd(writing: bytes) { fd in
            var decoder = JournalStreamDecoder(fileDescriptor: fd, chunkSize: 5)
            return try decoder.decodeAll()
        }
        #expect(entries.map { grouped($0.fields) } == fixture.fields.map(grouped))
    }
}
