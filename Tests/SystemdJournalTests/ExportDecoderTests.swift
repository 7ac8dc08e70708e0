import Testing
import TestSupport

@testable import SystemdJournal

/// A small stream with everything the format has: address fields, text, binary, empty and repeated values.
private func sampleStream() -> (bytes: [UInt8], entries: [JournalEntry]) {
    var text = ExportText()
    text.text("__CURSOR", "s=1;i=1")
    text.text("__REALTIME_TIMESTAMP", "1700000000000000")
    text.text("__MONOTONIC_TIMESTAMP", "1000")
    text.text("__SEQNUM", "1")
    text.text("_BOOT_ID", "0123456789abcdef0123456789abcdef")
    text.text("MESSAGE", "imap(alice@example.com)<1><x>: copy from Junk: box=INBOX, uid=1")
    text.binary("MULTI", Array("line 1\nline 2\n".utf8))
    text.text("EMPTY", "")
    text.binary("RAW", [0xFF, 0xFE, 0x00, 0x0A, 0x0A])
    text.text("TAG", "a=b")
    text.text("TAG", "c")
    text.endEntry()
    text.text("__CURSOR", "s=1;i=2")
    text.text("__REALTIME_TIMESTAMP", "1700000000000001")
    text.text("__MONOTONIC_TIMESTAMP", "1001")
    text.binary("EMPTY_BINARY", [])
    text.text("MESSAGE", "Müll")
    text.endEntry()
    let entries = [
        JournalEntry(
            cursor: "s=1;i=1",
            realtime: 1_700_000_000_000_000,
            monotonic: 1000,
            fields: [
                JournalField(name: "_BOOT_ID", text: "0123456789abcdef0123456789abcdef"),
                JournalField(name: "MESSAGE", text: "imap(alice@example.com)<1><x>: copy from Junk: box=INBOX, uid=1"),
                JournalField(name: "MULTI", text: "line 1\nline 2\n"),
                JournalField(name: "EMPTY", value: []),
                JournalField(name: "RAW", value: [0xFF, 0xFE, 0x00, 0x0A, 0x0A]),
                JournalField(name: "TAG", text: "a=b"),
                JournalField(name: "TAG", text: "c"),
            ]
        ),
        JournalEntry(
            cursor: "s=1;i=2",
            realtime: 1_700_000_000_000_001,
            monotonic: 1001,
            fields: [JournalField(name: "EMPTY_BINARY", value: []), JournalField(name: "MESSAGE", text: "Müll")]
        ),
    ]
    return (text.bytes, entries)
}

/// The error a decoder throws, or `nil` when it decodes everything.
private func decodeError(_ bytes: [UInt8]) -> JournalError? {
    var decoder = ExportDecoder(bytes: bytes)
    do {
        _ = try decoder.decodeAll()
        return nil
    } catch {
        return error
    }
}

@Suite("ExportDecoder")
struct ExportDecoderTests {
    @Test("text, binary, empty and repeated fields; address fields become the entry's address")
    func decodesFields() throws {
        let sample = sampleStream()
        var decoder = ExportDecoder(bytes: sample.bytes)
        let entries = try decoder.decodeAll()
        #expect(entries == sample.entries)
        #expect(entries.first?.values("TAG") == [Array("a=b".utf8), Array("c".utf8)])
        #expect(decoder.offset == sample.bytes.count)
        // Once at the end, it stays there.
        #expect(try decoder.next() == nil)
    }

    @Test("a value or name that differs from the previous entry's at the same position is not mistaken for it")
    func repeatedShapes() throws {
        var text = ExportText()
        let rows = [("_PID", "1234"), ("_PID", "1235"), ("_PIE", "1235"), ("_PID", ""), ("_PID", "1235")]
        for (name, value) in rows {
            text.text("MESSAGE", "same")
            text.text(name, value)
            text.endEntry()
        }
        var decoder = ExportDecoder(bytes: text.bytes)
        let entries = try decoder.decodeAll()
        #expect(entries.map { $0.fields[1] } == rows.map { JournalField(name: $0.0, text: $0.1) })
    }

    @Test("the last entry may end at the end of the stream, without an empty line")
    func lastEntryWithoutEmptyLine() throws {
        var text = ExportText()
        text.text("MESSAGE", "first")
        text.endEntry()
        text.text("MESSAGE", "second")
        var decoder = ExportDecoder(bytes: text.bytes)
        let entries = try decoder.decodeAll()
        #expect(entries.map { $0.text("MESSAGE") } == ["first", "second"])
    }

    @Test("empty and blank streams hold no entries")
    func emptyStreams() throws {
        var empty = ExportDecoder(bytes: [])
        #expect(try empty.next() == nil)
        var blank = ExportDecoder(bytes: Array("\n\n".utf8))
        #expect(try blank.next() == nil)
    }

    @Test("any chunk size through a pipe gives what one buffer gives", arguments: [1, 7, 4096])
    func chunkBoundaries(chunkSize: Int) throws {
        let sample = sampleStream()
        // Repeat the sample so that chunks fall on every kind of boundary more than once.
        let bytes = Array([[UInt8]](repeating: sample.bytes, count: 20).joined())
        let expected = Array([[JournalEntry]](repeating: sample.entries, count: 20).joined())
        let entries = try PipeFeeder.withReadEnd(writing: bytes) { fd in
            var decoder = ExportDecoder(fileDescriptor: fd, chunkSize: chunkSize)
            return try decoder.decodeAll()
        }
        #expect(entries == expected)
    }

    @Test("a 5 MB binary field and a 3 MB text field come through a pipe whole")
    func bigFieldsThroughPipe() throws {
        var generator = SeededGenerator(seed: 5)
        let big = generator.bytes(5_000_000)
        let longText = String(repeating: "0123456789", count: 300_000)
        var text = ExportText()
        text.text("MESSAGE", "before")
        text.endEntry()
        text.text("__REALTIME_TIMESTAMP", "1")
        text.binary("COREDUMP", big)
        text.text("LONG", longText)
        text.text("AFTER", "x")
        text.endEntry()
        text.text("MESSAGE", "after")
        text.endEntry()
        let entries = try PipeFeeder.withReadEnd(writing: text.bytes) { fd in
            var decoder = ExportDecoder(fileDescriptor: fd, chunkSize: 64 * 1024)
            return try decoder.decodeAll()
        }
        try #require(entries.count == 3)
        #expect(entries[1]["COREDUMP"] == big)
        #expect(entries[1].text("LONG") == longText)
        #expect(entries[1].text("AFTER") == "x")
        #expect(entries[2].text("MESSAGE") == "after")
    }

    @Test("a stream cut at any byte decodes a prefix of its entries or throws malformedExport")
    func truncatedAtEveryOffset() throws {
        let sample = sampleStream()
        for length in 0..<sample.bytes.count {
            var decoder = ExportDecoder(bytes: Array(sample.bytes[..<length]))
            do {
                let entries = try decoder.decodeAll()
                #expect(entries.count <= sample.entries.count, "prefix of \(length) bytes")
                // Entries before the last are whole; the last may stop after any whole field.
                for (index, entry) in entries.enumerated() {
                    let full = sample.entries[index]
                    if index < entries.count - 1 {
                        #expect(entry == full, "prefix of \(length) bytes")
                    } else {
                        #expect(
                            Array(full.fields.prefix(entry.fields.count)) == entry.fields,
                            "prefix of \(length) bytes"
                        )
                    }
                }
            } catch {
                guard case .malformedExport(let offset, let reason) = error else {
                    Issue.record("prefix of \(length) bytes: \(error)")
                    continue
                }
                #expect((0...length).contains(offset), "prefix of \(length) bytes: \(reason)")
            }
        }
    }

    @Test("a cut stream read in chunks through a pipe ends exactly as in memory, error message included")
    func truncatedThroughPipe() throws {
        let sample = sampleStream()
        for length in 0..<sample.bytes.count {
            let prefix = Array(sample.bytes[..<length])
            var inMemory = ExportDecoder(bytes: prefix)
            let expected = Result { () throws(JournalError) in try inMemory.decodeAll() }
            let piped = try PipeFeeder.withReadEnd(writing: prefix) { fd in
                var decoder = ExportDecoder(fileDescriptor: fd, chunkSize: 3)
                return Result { () throws(JournalError) in try decoder.decodeAll() }
            }
            #expect(piped == expected, "prefix of \(length) bytes")
        }
    }

    @Test("seeded random garbage throws malformedExport at an offset inside it", arguments: [1, 2, 3, 42, 1234])
    func randomGarbage(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let garbage = generator.bytes(1 << 20)
        let error = decodeError(garbage)
        guard case .malformedExport(let offset, _)? = error else {
            Issue.record("expected malformedExport, got \(String(describing: error))")
            return
        }
        #expect((0..<garbage.count).contains(offset))
    }

    @Test("seeded mutations of a valid stream decode or throw malformedExport inside it, never crash")
    func mutations() {
        let sample = sampleStream().bytes
        var generator = SeededGenerator(seed: 99)
        for round in 0..<3000 {
            var bytes = sample
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
                case 2: bytes.remove(at: at)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: at)
                }
                if bytes.isEmpty { bytes = [0] }
            }
            if let error = decodeError(bytes) {
                guard case .malformedExport(let offset, _) = error else {
                    Issue.record("round \(round): \(error)")
                    continue
                }
                #expect((0...bytes.count).contains(offset), "round \(round)")
            }
        }
    }

    @Test("garbage after a valid entry is reported at its own offset, through a pipe too")
    func garbageAfterEntry() throws {
        var text = ExportText()
        text.text("MESSAGE", "fine")
        text.endEntry()
        let good = text.bytes
        var generator = SeededGenerator(seed: 7)
        let bytes = good + [0x01] + generator.bytes(1 << 20)
        try PipeFeeder.withReadEnd(writing: bytes) { fd throws in
            var decoder = ExportDecoder(fileDescriptor: fd, chunkSize: 4096)
            #expect(try decoder.next()?.text("MESSAGE") == "fine")
            // The second call checks that a decoder keeps failing after an error.
            for _ in 0..<2 {
                do throws(JournalError) {
                    _ = try decoder.next()
                    Issue.record("garbage was decoded")
                } catch {
                    #expect(Self.offset(error) == good.count, "\(error)")
                }
            }
        }
    }

    @Test(
        "an absurd binary length is refused before anything is allocated",
        arguments: [UInt64(1) << 63, .max, 1 << 40]
    )
    func absurdLength(length: UInt64) throws {
        var text = ExportText()
        text.text("MESSAGE", "x")
        let lengthOffset = text.bytes.count + "DATA\n".utf8.count
        let bytes = text.bytes + Array("DATA\n".utf8) + text.littleEndian(length) + Array("abc\n".utf8)
        #expect(decodeError(bytes).flatMap(Self.offset) == lengthOffset)
        // Through a pipe the decoder cannot know the stream is short: it must refuse on the length alone.
        try PipeFeeder.withReadEnd(writing: bytes) { fd in
            var decoder = ExportDecoder(fileDescriptor: fd)
            #expect(throws: JournalError.self) { try decoder.next() }
        }
    }

    @Test("a binary length past the end of the stream is a truncation")
    func lengthPastEnd() {
        var text = ExportText()
        text.text("MESSAGE", "x")
        let fieldOffset = text.bytes.count
        let bytes = text.bytes + Array("DATA\n".utf8) + text.littleEndian(100) + Array("short\n".utf8)
        let error = decodeError(bytes)
        #expect(error.flatMap(Self.offset) == fieldOffset)
        #expect(error.flatMap(Self.reason)?.contains("100 bytes declared, 6 present") == true)
    }

    @Test(
        "broken lines throw malformedExport at the right offset",
        arguments: [
            ("=value\n", 0, "empty field name"),
            ("message=lowercase\n", 0, "byte 0x6d"),
            ("1ABC=x\n", 0, "starts with a digit"),
            ("MES SAGE=x\n", 3, "byte 0x20"),
            (String(repeating: "A", count: 65) + "=x\n", 0, "longer than 64"),
            ("NAME\nabc", 0, "ends inside the length"),
            ("MESSAGE=no newline", 0, "no newline"),
            ("MESSAGE", 0, "ends inside the field name"),
            ("__REALTIME_TIMESTAMP=12a\n", 21, "not a decimal number"),
            ("__MONOTONIC_TIMESTAMP=\n", 22, "not a decimal number"),
            ("__REALTIME_TIMESTAMP=99999999999999999999\n", 21, "not a decimal number"),
        ]
    )
    func brokenLines(line: String, offset: Int, reasonFragment: String) {
        var prefix = ExportText()
        prefix.text("MESSAGE", "fine")
        let error = decodeError(prefix.bytes + Array(line.utf8))
        #expect(error.flatMap(Self.offset) == prefix.bytes.count + offset, "\(String(describing: error))")
        #expect(error.flatMap(Self.reason)?.contains(reasonFragment) == true, "\(String(describing: error))")
    }

    @Test("a binary value must be followed by a newline")
    func binaryWithoutNewline() {
        var text = ExportText()
        text.binary("DATA", Array("abc".utf8))
        var bytes = text.bytes
        bytes[bytes.count - 1] = UInt8(ascii: "X")
        #expect(decodeError(bytes).flatMap(Self.offset) == bytes.count - 1)
    }

    private static func offset(_ error: JournalError) -> Int? {
        if case .malformedExport(let offset, _) = error { return offset }
        return nil
    }

    private static func reason(_ error: JournalError) -> String? {
        if case .malformedExport(_, let reason) = error { return reason }
        return nil
    }
}
