import TestSupport
import Testing

@testable import SystemdJournal

/// The error a decoder throws on `text`, or `nil` when it decodes everything.
private func decodeError(_ text: String) -> JournalError? {
    var decoder = JSONEntryDecoder(bytes: Array(text.utf8))
    do {
        _ = try decoder.decodeAll()
        return nil
    } catch {
        return error
    }
}

private func decode(_ text: String) throws -> [JournalEntry] {
    var decoder = JSONEntryDecoder(bytes: Array(text.utf8))
    return try decoder.decodeAll()
}

@Suite("JSONEntryDecoder")
struct JSONEntryDecoderTests {
    @Test("address fields become the entry's address; __ fields are dropped; order of the line is kept")
    func addressAndOrder() throws {
        let line = #"""
            {"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1700000000000001","MESSAGE":"hello","__SEQNUM":"7",\#
            "_BOOT_ID":"0123","EMPTY":"","__MONOTONIC_TIMESTAMP":"1001"}
            """#
        let entries = try decode(line + "\n")
        let expected = JournalEntry(
            cursor: "s=1;i=2",
            realtime: 1_700_000_000_000_001,
            monotonic: 1001,
            fields: [
                JournalField(name: "MESSAGE", text: "hello"),
                JournalField(name: "_BOOT_ID", text: "0123"),
                JournalField(name: "EMPTY", value: []),
            ]
        )
        #expect(entries == [expected])
    }

    @Test("every escape, surrogate pairs and raw UTF-8")
    func escapes() throws {
        let line = #"{"A":"q\" b\\ s\/ \b\f\n\r\t end","B":"\u00e9\u20AC\ud83d\ude00 \u0000","C":"Müll 😀"}"#
        let entry = try #require(try decode(line).first)
        #expect(entry.text("A") == "q\" b\\ s/ \u{8}\u{C}\n\r\t end")
        #expect(entry["B"] == Array("é€😀 \u{0}".utf8))
        #expect(entry.text("C") == "Müll 😀")
    }

    @Test("byte arrays are binary values; repeated fields keep their order; null is left out")
    func arraysAndNull() throws {
        let line = #"{"RAW":[255, 254,0,10],"TAG":["a",[1,2],null,"b",[]],"BIG":null,"E":[],"M":"x"}"#
        var decoder = JSONEntryDecoder(bytes: Array(line.utf8))
        let entry = try #require(try decoder.next())
        #expect(
            entry.fields == [
                JournalField(name: "RAW", value: [255, 254, 0, 10]),
                JournalField(name: "TAG", text: "a"),
                JournalField(name: "TAG", value: [1, 2]),
                JournalField(name: "TAG", text: "b"),
                JournalField(name: "TAG", value: []),
                JournalField(name: "E", value: []),
                JournalField(name: "M", text: "x"),
            ]
        )
        #expect(decoder.omittedValueCount == 2)
    }

    @Test("json-seq records, blank lines, CRLF and a last line without newline")
    func lineForms() throws {
        let text = "\u{1E}{\"M\":\"1\"}\n\n  \r\n{\"M\":\"2\"}\r\n\u{1E}{\"M\":\"3\"}"
        var decoder = JSONEntryDecoder(bytes: Array(text.utf8))
        #expect(try decoder.decodeAll().map { $0.text("M") } == ["1", "2", "3"])
        #expect(decoder.lineNumber == 5)
    }

    @Test("any chunk size through a pipe gives what one buffer gives", arguments: [1, 7, 4096])
    func chunkBoundaries(chunkSize: Int) throws {
        let line = #"{"__CURSOR":"c","MESSAGE":"caf\u00e9 \ud83d\ude00","RAW":[1,2,3],"TAG":["x",[0]],"N":null}"#
        let text = Array(String(repeating: line + "\n", count: 30).utf8)
        let expected = try decode(String(decoding: text, as: UTF8.self))
        let entries = try PipeFeeder.withReadEnd(writing: text) { fd in
            var decoder = JSONEntryDecoder(fileDescriptor: fd, chunkSize: chunkSize)
            return try decoder.decodeAll()
        }
        #expect(entries.count == 30)
        #expect(entries == expected)
    }

    @Test("a line cut at any byte decodes the lines before it or throws malformedJSON for its own line")
    func truncatedAtEveryOffset() throws {
        let text =
            Array(#"{"M":"a\u00e9","R":[1,2],"T":["x",[3]]}"#.utf8) + [0x0A] + Array(#"{"M":"\ud83d\ude00"}"#.utf8)
        let newline = try #require(text.firstIndex(of: 0x0A))
        for length in 0..<text.count {
            var decoder = JSONEntryDecoder(bytes: Array(text[..<length]))
            do {
                let entries = try decoder.decodeAll()
                #expect(entries.count <= 2)
            } catch {
                guard case .malformedJSON(let line, _) = error else {
                    Issue.record("prefix of \(length) bytes: \(error)")
                    continue
                }
                #expect(line == (length > newline ? 2 : 1), "prefix of \(length) bytes")
            }
        }
    }

    @Test(
        "malformed lines throw malformedJSON with the line number",
        arguments: [
            (#"{"MESSAGE":"unterminated}"#, "unterminated string"),
            (#"{"MESSAGE":"cut"#, "unterminated string"),
            (#"{"MESSAGE":"x""#, "the line ends inside the object"),
            (#"{"MESSAGE":"x","#, "the line ends where a field name was expected"),
            (#"{"MESSAGE":"bad \x escape"}"#, "invalid escape sequence \\x"),
            (#"{"MESSAGE":"\u12G4"}"#, "four hex digits"),
            (#"{"MESSAGE":"\ud83d"}"#, "not followed by a low surrogate"),
            (#"{"MESSAGE":"\ud83d\u0041"}"#, "not a low surrogate"),
            (#"{"MESSAGE":"\ude00"}"#, "without a high surrogate"),
            ("{\"MESSAGE\":\"tab\tinside\"}", "control character 0x09"),
            (#"{"MESSAGE":5}"#, "is not a journal field value"),
            (#"{"MESSAGE":true}"#, "is not a journal field value"),
            (#"{"MESSAGE":{"A":"b"}}"#, "is not a journal field value"),
            (#"{"RAW":[1,256]}"#, "256 in an array of bytes is not a byte"),
            (#"{"RAW":[1,-1]}"#, "negative number"),
            (#"{"RAW":[1.5]}"#, "fraction or exponent"),
            (#"{"RAW":[01]}"#, "leading zero"),
            (#"{"RAW":[1,"a"]}"#, "holds only numbers"),
            (#"{"RAW":[1,2,]}"#, "holds only numbers"),
            (#"{"TAG":["a",1]}"#, "a number among a field's values"),
            (#"{"TAG":["a",[[1]]]}"#, "holds only numbers"),
            (#"{"TAG":["a",{"b":1}]}"#, "is not a journal field value"),
            (#"{"message":"lowercase"}"#, "is not a journal field name"),
            (#"{"":"empty"}"#, "is not a journal field name"),
            (#"{"MESSAGE" "x"}"#, "expected ':'"),
            (#"{"MESSAGE":"x"} trailing"#, "after the entry"),
            (#"["MESSAGE"]"#, "expected '{'"),
            (#"{"__REALTIME_TIMESTAMP":"12a"}"#, "not a decimal number"),
            (#"{"__REALTIME_TIMESTAMP":123}"#, "must be a string"),
            (#"{"MESSAGE":nul}"#, "expected null"),
        ]
    )
    func malformed(line: String, reasonFragment: String) {
        let error = decodeError("{\"MESSAGE\":\"fine\"}\n\n" + line + "\n{\"MESSAGE\":\"never reached\"}\n")
        guard case .malformedJSON(let number, let reason)? = error else {
            Issue.record("expected malformedJSON, got \(String(describing: error))")
            return
        }
        #expect(number == 3)
        #expect(reason.contains(reasonFragment), "\(reason)")
    }

    @Test("special bytes are found wherever they fall in an eight-byte word")
    func specialBytesAtEveryPosition() throws {
        for length in 0..<20 {
            for position in 0..<max(length, 1) {
                var chars = Array(repeating: "a", count: length)
                if length > 0 { chars[position] = "é" }
                let plain = chars.joined()
                #expect(try decode("{\"M\":\"\(plain)\"}").first?.text("M") == plain)
                if length > 0 { chars[position] = "\"" }
                let unescaped = chars.joined()
                if length > 0 { chars[position] = "\\\"" }
                #expect(try decode("{\"M\":\"\(chars.joined())\"}").first?.text("M") == unescaped)
                if length > 0 { chars[position] = "\u{1}" }
                let control = chars.joined()
                #expect(length == 0 || decodeError("{\"M\":\"\(control)\"}") != nil)
            }
        }
    }

    @Test("a name spelled with escapes is decoded; an invalid name after a valid one is still rejected")
    func namesAcrossLines() throws {
        #expect(try decode(#"{"\u004DESSAGE":"x"}"#).first?.text("MESSAGE") == "x")
        let error = decodeError("{\"A\":\"1\"}\n{\"a\":\"1\"}\n")
        guard case .malformedJSON(line: 2, _)? = error else {
            Issue.record("expected malformedJSON on line 2, got \(String(describing: error))")
            return
        }
    }

    @Test("raw bytes that are not UTF-8 inside a string are rejected")
    func invalidUTF8() {
        var decoder = JSONEntryDecoder(bytes: Array(#"{"M":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))
        #expect(throws: JournalError.self) { try decoder.next() }
    }

    @Test("seeded mutations of valid lines decode or throw malformedJSON, never crash")
    func mutations() {
        let sample = Array(
            #"{"__CURSOR":"s=1","M":"caf\u00e9 \ud83d\ude00 \"q\"","R":[1,2,255],"T":["x",[3],null],"N":null}"#.utf8
        )
        var generator = SeededGenerator(seed: 77)
        for round in 0..<3000 {
            var bytes = sample
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: at)
                default: bytes.insert(Array(#"{}[]",:\u0n1-"#.utf8).randomElement(using: &generator)!, at: at)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            var decoder = JSONEntryDecoder(bytes: bytes)
            do {
                _ = try decoder.decodeAll()
            } catch {
                guard case .malformedJSON = error else {
                    Issue.record("round \(round): \(error)")
                    continue
                }
            }
        }
    }

    @Test("seeded random garbage throws malformedJSON, never crashes", arguments: [1, 2, 3])
    func randomGarbage(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        // Start each line like JSON so that the parser gets past the first byte.
        var bytes: [UInt8] = []
        for _ in 0..<2000 { bytes += Array(#"{"M":"#.utf8) + generator.bytes(200) + [0x0A] }
        var decoder = JSONEntryDecoder(bytes: bytes)
        #expect(throws: JournalError.self) { try decoder.decodeAll() }
    }
}
