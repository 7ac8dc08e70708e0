import Testing
import TestSupport

@testable import SystemdJournal

@Suite("JournalStreamFormat and JournalStreamDecoder")
struct JournalStreamDecoderTests {
    @Test(
        "detects the format from the first bytes",
        arguments: [
            ("{\"MESSAGE\":\"x\"}", JournalStreamFormat.json),
            (" \n\t{", .json),
            ("\u{1E}{\"A\":\"b\"}", .json),
            ("__CURSOR=s=1\n", .export),
            ("MESSAGE\n", .export),
            ("\nMESSAGE=x\n", .export),
            ("_SYSTEMD_UN", .export),
        ]
    )
    func detects(text: String, format: JournalStreamFormat) {
        #expect(JournalStreamFormat.detect(firstBytes: Array(text.utf8)) == format)
    }

    @Test(
        "detects nothing in garbage or white space",
        arguments: ["", " \n ", "1ABC=x", "message=x", "[1]", "MES SAGE"]
    )
    func detectsNothing(text: String) {
        #expect(JournalStreamFormat.detect(firstBytes: Array(text.utf8)) == nil)
    }

    @Test("decodes either format without being told, through a pipe in tiny chunks", arguments: [1, 3, 1 << 20])
    func autoDetect(chunkSize: Int) throws {
        var export = ExportText()
        export.text("__REALTIME_TIMESTAMP", "5")
        export.text("MESSAGE", "hello")
        export.endEntry()
        let json = Array("\n{\"__REALTIME_TIMESTAMP\":\"5\",\"MESSAGE\":\"hello\"}\n".utf8)
        let expected = [JournalEntry(realtime: 5, fields: [JournalField(name: "MESSAGE", text: "hello")])]
        for (bytes, format) in [(export.bytes, JournalStreamFormat.export), (json, .json)] {
            try PipeFeeder.withReadEnd(writing: bytes) { fd throws in
                var decoder = JournalStreamDecoder(fileDescriptor: fd, chunkSize: chunkSize)
                #expect(decoder.format == nil)
                #expect(try decoder.decodeAll() == expected)
                #expect(decoder.format == format)
            }
            var named = JournalStreamDecoder(bytes: bytes, format: format)
            #expect(try named.decodeAll() == expected)
        }
    }

    @Test("a stream of white space holds no entries")
    func whiteSpaceOnly() throws {
        var decoder = JournalStreamDecoder(bytes: Array(" \n\n".utf8))
        #expect(try decoder.next() == nil)
        #expect(decoder.format == nil)
    }

    @Test("a stream in neither format throws at its first byte that is not white space")
    func neither() {
        var decoder = JournalStreamDecoder(bytes: Array("\n\n<html>".utf8))
        do {
            _ = try decoder.next()
            Issue.record("garbage decoded")
        } catch {
            guard case .malformedExport(offset: 2, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(reason.contains("neither"))
        }
    }

    @Test("a named format that does not match the stream throws that format's error")
    func wrongFormatNamed() {
        var decoder = JournalStreamDecoder(bytes: Array("MESSAGE=x\n".utf8), format: .json)
        do {
            _ = try decoder.next()
            Issue.record("export text decoded as JSON")
        } catch {
            guard case .malformedJSON(line: 1, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
    }
}
