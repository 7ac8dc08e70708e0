import TestSupport
import Testing

@testable import JunkwatchCore

/// The byte engine must give exactly what Swift Regex gives: same match or no match, same
/// captures. These tests run both on many lines and compare.
@Suite("The fast matcher agrees with Swift Regex")
struct ByteRegexTests {
    /// Runs both engines on `text` and reports a disagreement.
    static func compare(
        _ pattern: LinePattern,
        _ text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let bytes = Array(text.utf8)
        let fast = bytes.withUnsafeBufferPointer { pattern.match($0, text: { text }) }
        let slow = pattern.matchWithRegex(text)
        if fast == .gaveUp { return }  // the budget is the byte engine's own, checked elsewhere
        #expect(fast == slow, "pattern \(pattern.source) on \(text.debugDescription)", sourceLocation: sourceLocation)
    }

    /// Patterns that exercise each construct of the subset, with named captures in the allowed names.
    static let constructPatterns: [String] = [
        #"^(?<user>.+?)\)"#,
        #"(?<user>[a-z]+)@(?<mailbox>[^ ]*)"#,
        #"^(?<user>.*)(?<mailbox>.)$"#,
        #"^(?<user>.*?)(?<mailbox>.+)$"#,
        #"(?<uid>\d+|error)"#,
        #"^(?<user>\w+)\s+(?<mailbox>\S+)$"#,
        #"(?<user>a|ab)(?<mailbox>c|bcd)"#,
        #"^(?:(?<user>x)|(?<mailbox>y))z"#,
        #"(?<size>[0-9]{2,4})"#,
        #"(?<size>[0-9]{2,}?)"#,
        #"(?<size>[0-9]{3})"#,
        #"(?<msgid><[^<>]*>)?, (?<size>\d*)"#,
        #"ü(?<user>.)"#,
        #"(?<user>[^a-z])(?<mailbox>.)"#,
        #"^(?<user>.+?)(?:, (?<uid>\d+))?$"#,
        #"(?<user>(?:ab)+)c"#,
        #"(?<user>(?:a|b)*?)b"#,
        #"x\.\*\((?<user>[a-c-]+)\)"#,
        #"(?<user>.)\t(?<mailbox>[\d\-]+)"#,
        #"(?P<user>a+)(?<mailbox>a)"#,
        #"(?<user>.*)\, (?<mailbox>.*?)$"#,
        #"^(?<flags>[^()]*)\)$|(?<user>.)"#,
        #"(?<user>\W+)(?<mailbox>\D)"#,
        #"(?<user>[^\s]+)"#,
        #"(?:(?<user>a)b?)?(?<mailbox>b*)c"#,
        // The first candidate of a repeat fails further on: the machine must really backtrack.
        #"(?<user>.*)ab(?<mailbox>.)"#,
        #"(?<user>[a-z]*)a(?<mailbox>b)c"#,
        #"^(?<user>.*?)ab(?<mailbox>c)"#,
        #"(?<user>[^,]*), (?<mailbox>.*), (?<source>x)"#,
        #"^(?<user>.+), uid=(?<uid>\d+)$"#,
        #"(?<user>a*)(?<mailbox>a*)ab"#,
        #"(?<user>(?:ab|a)(?:bc|c))d"#,
    ]

    /// Texts for the construct patterns.
    static let constructTexts: [String] = [
        "", "a", "ab", "abc", "abcd", "aab", "bbbc", "ababc", "x)y)z", "xz", "yz", "zz",
        "12", "1234567", "error", "err", "a1", "<m@x>, 364", ", ", "<a>, ", "<a<b>>, 1",
        "üa", "ü", "aü", "é", "éé", "e\u{301}", "日本語", "a\tb", "a\t1-2", "x.*(ab-c)", "x.*()",
        "alice Junk", "alice  Spam, Reports", "alice\u{85}x", "a, b, c", "\\Seen $Junk)", "(x)",
        "a\nb", "\n", "  ", "a b\u{2028}c", "ab, cd, ef", "aaa", "bc", "abbc", "c",
        String(repeating: "a", count: 200) + "b",
        "xabyab", "xabya", "abab a", "aaab", "aabab", "aababc", "aabc", "abcabd", "ababd", "abd", "abcd",
        "a, b, c, x", "a, b, x, c", "x, uid=1, uid=2", "x, uid=1, uid=2x", "aaaab", "abcabc", "abbc",
    ]

    @Test("each construct")
    func constructs() throws {
        for source in Self.constructPatterns {
            let pattern = try LinePattern(source)
            #expect(pattern.isFast, "\(source) should be within the subset")
            for text in Self.constructTexts { Self.compare(pattern, text) }
        }
    }

    @Test(
        "patterns outside the subset fall back to Swift Regex",
        arguments: [
            #"(?<user>a)\b"#, #"(?i)(?<user>a)"#, #"(?<user>a)(?=b)"#, #"(?<user>a)++"#, #"(?<user>\p{L}+)"#,
            #"(?<user>[[:alpha:]])"#, #"(?<user>[é])"#, #"(?:(?<user>a))*"#, #"(?<user>(?:a?)*)"#, #"(?<user>a)\1"#,
            #"(?<user>a){,3}"#, #"(?<user>a)]"#, #"(?<user>a)\x41"#,
        ]
    )
    func fallback(_ source: String) throws {
        let pattern = try LinePattern(source)
        #expect(!pattern.isFast)
        let bytes = Array("aab".utf8)
        #expect(bytes.withUnsafeBufferPointer { pattern.match($0, text: { "aab" }) } == pattern.matchWithRegex("aab"))
    }

    /// Sample lines of every shape the shipped filters know, plus near misses.
    static var sampleLines: [String] {
        (dovecot23Lines + dovecot24Lines).map(\.line) + [
            prefix + "copy from Junk: box=INBOX, uid=1, msgid=<m1@x>, size=364, flags=(\\Seen), flags=(x)",
            prefix + "copy from Junk: box=INBOX, uid=1, msgid=<m1@x>, size=364, flags=(a(b))",
            prefix + "copy from Junk: box=INBOX, uid=1, msgid=<m1@x>, size=3x",
            prefix + "copy from : box=INBOX, uid=1, msgid=, size=1",
            "imap(a)(b)<1><2>: save: box=Junk, uid=1, msgid=<m>, size=1",
            "imap(a)<1><2><3>: save: box=Junk, uid=1, msgid=<m>, size=1",
            "imap(a): Info: Info: save: box=Junk, uid=1, msgid=<m>, size=1",
        ]
    }

    @Test("the shipped patterns, on samples and on every cut and splice of them")
    func shippedPatternsOnMangledLines() throws {
        let filters = try shippedFilters("dovecot-mail-log", "dovecot-2.4-mail-log")
        let patterns = filters.filters.flatMap(\.rules).map(\.pattern)
        let inserts = [", ", ": ", ")", "(", "<", ">", "é", "=", " ", "box=", ", uid=1"]
        for line in Self.sampleLines {
            let scalars = Array(line.unicodeScalars)
            // Only the patterns of the rule the line is about, to keep the run short.
            let relevant = patterns.filter { line.contains($0.source.contains("flag_change") ? "flag_change" : "") }
            for pattern in relevant {
                Self.compare(pattern, line)
            }
            for cut in stride(from: 0, through: scalars.count, by: 1) {
                let head = String(String.UnicodeScalarView(scalars[..<cut]))
                let tail = String(String.UnicodeScalarView(scalars[cut...]))
                for pattern in relevant where cut % 2 == 0 {
                    Self.compare(pattern, head)
                }
                let insert = inserts[cut % inserts.count]
                for pattern in relevant where cut % 3 == 0 {
                    Self.compare(pattern, head + insert + tail)
                }
            }
        }
    }

    @Test("random lines made of the patterns' own pieces")
    func randomLines() throws {
        let filters = try shippedFilters("dovecot-mail-log", "dovecot-2.4-mail-log")
        var patterns = filters.filters.flatMap(\.rules).map(\.pattern)
        patterns += try Self.constructPatterns.map { try LinePattern($0) }
        let pieces = [
            "imap", "lmtp", "(", ")", "<", ">", "1", "23", "a", "é", " ", ": ", ", ", "copy from ", "save: ",
            "expunge: ", "flag_change: ", "Mailbox ", "box=", "uid=", "msgid=", "size=", "vsize=", "from=",
            "subject=", "flags=(", "\\Seen", "$Junk", "error", "Info: ", "Junk", "INBOX",
        ]
        var generator = SeededGenerator(seed: 0x6A75_6E6B_7761_7463)
        for _ in 0..<2_000 {
            var line = generator.next() % 3 == 0 ? "" : "imap(u)<1><s>: "
            for _ in 0..<Int(generator.next() % 24) { line += pieces[Int(generator.next() % UInt64(pieces.count))] }
            let pattern = patterns[Int(generator.next() % UInt64(patterns.count))]
            Self.compare(pattern, line)
        }
    }

    @Test("a hostile line ends, and within the budget")
    func budget() throws {
        // Nested lazy repeats on a long line without the anchors they look for.
        let pattern = try LinePattern(#"^(?<user>.*?)a(?<mailbox>.*?)b(?<source>.*?)c(?<msgid>.*?)d$"#)
        #expect(pattern.isFast)
        let line = String(repeating: "abc", count: 5_000)
        let bytes = Array(line.utf8)
        let result = bytes.withUnsafeBufferPointer { pattern.match($0, text: { line }) }
        #expect(result == .noMatch || result == .gaveUp)
    }
}
