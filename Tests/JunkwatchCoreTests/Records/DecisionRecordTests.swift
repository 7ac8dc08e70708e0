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
}
