import JunkwatchCore
import Testing

/// Lines no dovecot writes, but a journal can hold: junkwatch must count them unmatched, never
/// crash, hang, or make up an event.
@Suite("Hostile lines")
struct HostileLineTests {
    let filters: FilterSet

    init() throws {
        filters = try shippedFilters("dovecot-mail-log", "dovecot-2.4-mail-log")
    }

    static let sample = prefix + #"copy from Spam, Reports: box=Müll, uid=7, msgid=<m@x>, size=1, flags=(\Seen $Junk)"#

    @Test("a megabyte of text")
    func megabyte() {
        let line = String(repeating: "a", count: 1 << 20)
        #expect(filters.parse(line: line) == .unmatched(.tooLong(bytes: 1 << 20)))
        let shaped = Self.sample + String(repeating: ", flags=(", count: 100_000)
        #expect(filters.parse(line: shaped).event == nil)
    }

    @Test("the longest line allowed, built to make a backtracking matcher work hard")
    func longestLine() {
        let filler = String(repeating: ": box=a, uid=1, msgid=", count: 1 << 20 / 23)
        let line = String((prefix + "copy from " + filler).utf8.prefix(FilterSet.maximumLineLength))!
        #expect(filters.parse(line: line).event == nil)
        let parens = "imap(" + String(repeating: ")(", count: 8_000) + ": copy from "
        #expect(filters.parse(line: parens).event == nil)
    }

    @Test("invalid UTF-8")
    func invalidUTF8() {
        var bytes = Array(Self.sample.utf8)
        bytes.insert(0xFF, at: bytes.count / 2)
        #expect(filters.parse(line: bytes) == .unmatched(.invalidUTF8))
        // A lone continuation byte, an overlong encoding, a surrogate.
        for bad: [UInt8] in [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80]] {
            #expect(filters.parse(line: Array(Self.sample.utf8) + bad) == .unmatched(.invalidUTF8))
        }
    }

    @Test("NUL bytes")
    func nul() {
        var bytes = Array(Self.sample.utf8)
        bytes.insert(0, at: 20)
        #expect(filters.parse(line: bytes) == .unmatched(.nulByte))
        #expect(filters.parse(line: [0, 0, 0]).event == nil)
    }

    @Test("a line cut at every byte: unmatched, or an event made of the line's own text")
    func cuts() throws {
        for sample in [Self.sample] + dovecot23Lines.map(\.line) + dovecot24Lines.map(\.line) {
            let bytes = Array(sample.utf8)
            for cut in 0...bytes.count {
                let head = Array(bytes[..<cut])
                switch filters.parse(line: head) {
                case .unmatched:
                    continue
                case .event(let event):
                    // A cut through the size or the flags can still be a well-formed line.
                    let text = String(decoding: head, as: UTF8.self)
                    #expect(text.contains(event.user) && text.contains(event.mailbox), "\(text)")
                    #expect(!event.user.isEmpty && !event.mailbox.isEmpty)
                    if let size = event.size { #expect(text.contains("size=\(size)")) }
                }
            }
        }
    }

    @Test("control characters and odd Unicode in names are kept as they are")
    func oddNames() throws {
        let line = "imap(\u{202E}evil\u{200B})<1><s>: save: box=Junk\u{7}, uid=1, msgid=<\u{1F4A9}@x>, size=1"
        let event = try #require(filters.parse(line: line).event)
        #expect(event.user == "\u{202E}evil\u{200B}")
        #expect(event.mailbox == "Junk\u{7}")
        #expect(event.msgid == "<\u{1F4A9}@x>")
    }
}
