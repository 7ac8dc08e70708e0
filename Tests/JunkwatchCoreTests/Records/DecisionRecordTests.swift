import Foundation
import JunkwatchCore
import Testing

@Suite("Decision records")
struct DecisionRecordTests {
    static let verdict = Verdict(
        kind: .spam,
        user: "alice@example.com",
        message: MessageReference(mailbox: "Junk", uid: 7, msgid: "<m1@x>", size: 364),
        event: .make(.copy, source: "INBOX", mailbox: "Junk", uid: 7, msgid: "<m1@x>"),
        reason: "copied from INBOX into Junk"
    )

    @Test("JSON: one line, the record's keys in snake_case, in a fixed order")
    func jsonLine() {
        let record = DecisionRecord(verdict: Self.verdict, learner: "rspamd", outcome: .alreadyLearned, latency: 0.25)
        #expect(
            record.jsonLine()
                == #"{"user":"alice@example.com","verdict":"spam","mailbox":"Junk","uid":7,"#
                + #""msgid":"<m1@x>","size":364,"#
                + #""learner":"rspamd","outcome":"already-learned","reason":"copied from INBOX into Junk","#
                + #""source_cursor":"s=abc;i=1","source_realtime":1763700000000000,"latency":0.25,"#
                + #""filter":"dovecot-mail-log","rule":"copy"}"#
        )
    }

    @Test("JSON: every key is there, null where there is no value (a dry run)")
    func nulls() {
        let record = DecisionRecord(
            user: "bob",
            verdict: .ham,
            mailbox: "INBOX",
            reason: "copied out of Junk into INBOX"
        )
        #expect(
            record.jsonLine()
                == #"{"user":"bob","verdict":"ham","mailbox":"INBOX","uid":null,"msgid":"","size":null,"learner":null,"#
                + #""outcome":null,"reason":"copied out of Junk into INBOX","source_cursor":null,"#
                + #""source_realtime":null,"#
                + #""latency":null,"filter":null,"rule":null}"#
        )
    }

    @Test("JSON: names with quotes, backslashes, control characters and non-ASCII stay one valid line")
    func escaping() throws {
        let record = DecisionRecord(
            user: #"dave "the man" smith\x"#,
            verdict: .spam,
            mailbox: "Müll\n\u{1}\u{2028}",
            msgid: "<\u{1F4A9}@x>",
            reason: "tab\there"
        )
        let line = record.jsonLine()
        #expect(!line.contains("\n"))
        #expect(line.contains(#""user":"dave \"the man\" smith\\x""#))
        #expect(line.contains(#""mailbox":"Müll\n\u0001\u2028""#))
        let decoded = try JSONDecoder().decode(DecisionRecord.self, from: Data(line.utf8))
        #expect(decoded == record)
    }

    @Test("JSON written by hand reads back with JSONDecoder", arguments: DecisionRecord.Outcome.allCases)
    func roundTrip(_ outcome: DecisionRecord.Outcome) throws {
        let record = DecisionRecord(verdict: Self.verdict, learner: "rspamd", outcome: outcome, latency: 1e-5)
        let decoded = try JSONDecoder().decode(DecisionRecord.self, from: Data(record.jsonLine().utf8))
        #expect(decoded == record)
        let object = try #require(JSONSerialization.jsonObject(with: Data(record.jsonLine().utf8)) as? [String: Any])
        #expect(Set(object.keys).count == 14)
    }

    @Test("text: one line for people")
    func text() {
        let learned = DecisionRecord(verdict: Self.verdict, learner: "rspamd", outcome: .learned, latency: 0.0123)
        #expect(
            learned.text
                == "alice@example.com: spam, Junk uid 7 <m1@x> (364 bytes): copied from INBOX into Junk; "
                + "learned by rspamd after 12 ms"
        )
        let dry = DecisionRecord(verdict: Self.verdict)
        #expect(dry.text.hasSuffix("copied from INBOX into Junk; not learned (dry run)"))
        let odd = DecisionRecord(user: "a\nb", verdict: .ham, mailbox: "x\u{7}", outcome: .failed, reason: "r")
        #expect(odd.text == "a?b: ham, x?: r; failed")
    }

    /// Names that need escaping or cleaning, one kind of trouble each, and all of them at once.
    static let awkwardNames: [String] = [
        "", "plain", #"q"uote"#, #"back\slash"#, "new\nline", "cr\r", "tab\t", "nul\u{0}", "bell\u{7}",
        "esc\u{1B}[31m", "del\u{7F}", "c1\u{80}\u{85}\u{9F}", "nbsp\u{A0}", "ls\u{2028}ps\u{2029}",
        "dash\u{2013}euro\u{20AC}", "M\u{FC}ll", "\u{1F4A9}", "\u{FEFF}bom", "e\u{301}",
        "all: \"\\\n\r\t\u{0}\u{1F}\u{7F}\u{85}\u{2028}\u{2029}\u{2027}\u{202A}\u{1F4A9}",
    ]

    @Test("JSON strings: escaped exactly as the scalar-by-scalar writer did", arguments: awkwardNames)
    func jsonEscapes(_ name: String) {
        #expect(JSONObject.quoted(name) == Self.referenceQuoted(name))
        let record = DecisionRecord(user: name, verdict: .ham, mailbox: name, msgid: name, reason: name)
        #expect(record.jsonLine().contains(#"{"user":\#(Self.referenceQuoted(name)),"#))
    }

    @Test("text: control characters cleaned exactly as the scalar-by-scalar writer did", arguments: awkwardNames)
    func textCleaning(_ name: String) {
        let record = DecisionRecord(user: name, verdict: .ham, mailbox: name, msgid: name + "x", reason: name)
        let clean = Self.referenceClean(name)
        #expect(
            record.text == "\(clean): ham, \(clean) \(Self.referenceClean(name + "x")): \(clean); not learned (dry run)"
        )
    }

    @Test("escapes and cleaning found at every position of longer names, eight bytes at a time or not")
    func everyPosition() {
        let specials = [
            "\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7F}", "\u{80}", "\u{9F}", "\u{A0}", "\u{FC}", "\u{2028}",
            "\u{2029}", "\u{2027}", "\u{1F4A9}", "~", " ",
        ]
        for special in specials {
            for position in 0...20 {
                let name =
                    String(repeating: "a", count: position) + special + String(repeating: "b", count: 23 - position)
                #expect(
                    JSONObject.quoted(name) == Self.referenceQuoted(name),
                    "\(special.unicodeScalars.first!.value) at \(position)"
                )
                let record = DecisionRecord(user: name, verdict: .ham, mailbox: "m", reason: "r")
                #expect(record.text == "\(Self.referenceClean(name)): ham, m: r; not learned (dry run)")
            }
        }
    }

    @Test("numbers: as String(_:) spells them")
    func numbers() {
        for value in [0, 1, 9, 10, 99, 100, 364, Int.max, Int.min, -1, -364] {
            let record = DecisionRecord(user: "u", verdict: .ham, mailbox: "m", size: value, reason: "r")
            #expect(record.jsonLine().contains(#""size":\#(value),"#))
            #expect(record.text.contains("(\(value) bytes)"))
        }
        let record = DecisionRecord(
            user: "u",
            verdict: .ham,
            mailbox: "m",
            uid: UInt32.max,
            reason: "r",
            sourceRealtime: UInt64.max
        )
        #expect(record.jsonLine().contains(#""uid":4294967295,"#))
        #expect(record.jsonLine().contains(#""source_realtime":18446744073709551615,"#))
    }

    @Test("a verdict's text and JSON written directly are those of its record", arguments: awkwardNames)
    func ofVerdict(_ name: String) {
        var event = MailEvent.make(.copy, user: name, source: "INBOX", mailbox: name, uid: 7, msgid: name, size: 364)
        var verdicts = [
            Verdict(
                kind: .spam,
                user: name,
                message: MessageReference(mailbox: name, uid: 7, msgid: name, size: 364),
                event: event,
                reason: name
            )
        ]
        event.cursor = nil
        event.realtime = nil
        event.filter = ""
        event.rule = ""
        verdicts.append(
            Verdict(kind: .ham, user: name, message: MessageReference(mailbox: name), event: event, reason: "r")
        )
        for verdict in verdicts {
            var text: [UInt8] = []
            DecisionRecord.appendText(of: verdict, to: &text)
            #expect(String(decoding: text, as: UTF8.self) == DecisionRecord(verdict: verdict).text)
            var json: [UInt8] = []
            DecisionRecord.appendJSONLine(of: verdict, to: &json)
            #expect(String(decoding: json, as: UTF8.self) == DecisionRecord(verdict: verdict).jsonLine())
        }
    }

    /// `JSONObject.quoted` as it was first written, scalar by scalar.
    static func referenceQuoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The text record's cleaning as it was first written, with Unicode's general category.
    static func referenceClean(_ string: String) -> String {
        String(
            String.UnicodeScalarView(
                string.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }
            )
        )
    }
}
