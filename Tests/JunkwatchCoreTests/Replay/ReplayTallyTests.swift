import Testing

@testable import JunkwatchCore

@Suite("Replay tally and summary table")
struct ReplayTallyTests {
    static func record(_ user: String, _ outcome: DecisionRecord.Outcome?, learner: String = "rspamd-bayes")
        -> DecisionRecord
    {
        DecisionRecord(user: user, verdict: .spam, mailbox: "Junk", learner: learner, outcome: outcome, reason: "test")
    }

    /// alice 3 decisions, bob 2, carol 1.
    static func tally() -> ReplayTally {
        var tally = ReplayTally()
        for (user, kinds) in [
            ("alice@example.com", [Verdict.Kind.spam, .spam, .ham]), ("bob@example.com", [.ham, .spam]),
            ("carol@example.org", [.ham]),
        ] {
            for (index, kind) in kinds.enumerated() {
                tally.decided(makeVerdict(kind, user: user, msgid: "<\(index)@x>"))
            }
        }
        return tally
    }

    @Test("decisions are counted per user and verdict, records per user, learner and outcome")
    func counts() {
        var tally = Self.tally()
        tally.recorded(Self.record("alice@example.com", .learned))
        tally.recorded(Self.record("alice@example.com", .learned, learner: "rspamd-fuzzy"))
        tally.recorded(Self.record("alice@example.com", .failed))
        tally.recorded(Self.record("bob@example.com", .gone))
        tally.recorded(Self.record("bob@example.com", nil))  // a dry run's record counts nothing
        let alice = tally.users["alice@example.com"]
        #expect(alice?.ham == 1 && alice?.spam == 2 && alice?.decisions == 3)
        #expect(alice?.outcomes.learned == 2 && alice?.outcomes.failed == 1)
        #expect(tally.users["bob@example.com"]?.outcomes.total == 1)
        #expect(tally.learners["rspamd-bayes"]?.learned == 1)
        #expect(tally.learners["rspamd-fuzzy"]?.learned == 1)
        #expect(tally.learners["rspamd-bayes"]?.failed == 1 && tally.learners["rspamd-bayes"]?.gone == 1)
        let total = tally.total
        #expect(total.ham == 3 && total.spam == 3 && total.outcomes.total == 4)
    }

    @Test("merging adds a reporter's records to the scan's decisions")
    func merge() {
        var scan = Self.tally()
        var reporter = ReplayTally()
        reporter.recorded(Self.record("alice@example.com", .learned))
        reporter.recorded(Self.record("dave@example.net", .alreadyLearned))
        scan.merge(reporter)
        #expect(scan.users["alice@example.com"]?.decisions == 3)
        #expect(scan.users["alice@example.com"]?.outcomes.learned == 1)
        #expect(scan.users["dave@example.net"]?.outcomes.alreadyLearned == 1)
        #expect(scan.learners["rspamd-bayes"]?.total == 2)
    }

    @Test("a dry run's table: users by decisions, ham and spam, a total")
    func dryRunTable() {
        let table = Self.tally().table(top: nil, outcomes: false)
        #expect(
            table == """
                USER               HAM  SPAM
                alice@example.com    1     2
                bob@example.com      1     1
                carol@example.org    1     0

                TOTAL                3     3
                """
        )
    }

    @Test("--top keeps the users with the most decisions and says how many more there are")
    func top() {
        let table = Self.tally().table(top: 1, outcomes: false)
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1].hasPrefix("alice@example.com"))
        #expect(lines[2] == "... 2 more users with 3 decisions (--top 0 shows every user)")
        #expect(!table.contains("bob@example.com"))
        #expect(lines.last?.hasPrefix("TOTAL") == true && lines.last?.hasSuffix("3     3") == true)
    }

    @Test("a replay's table adds the outcomes per user and a row per learner, in aligned columns")
    func outcomesTable() {
        var tally = Self.tally()
        tally.recorded(Self.record("alice@example.com", .learned))
        tally.recorded(Self.record("alice@example.com", .alreadyLearned))
        tally.recorded(Self.record("bob@example.com", .failed, learner: "spamassassin"))
        let table = tally.table(top: 10, outcomes: true)
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "USER               HAM  SPAM  LEARNED  ALREADY-LEARNED  SKIPPED  GONE  FAILED")
        #expect(lines[1] == "alice@example.com    1     2        1                1        0     0       0")
        #expect(lines.contains("LEARNER                       LEARNED  ALREADY-LEARNED  SKIPPED  GONE  FAILED"))
        #expect(lines.contains("rspamd-bayes                        1                1        0     0       0"))
        #expect(lines.contains("spamassassin                        0                0        0     0       1"))
        // Every number ends in the column of its header.
        for line in lines where ["alice", "TOTAL", "LEARNER", "rspamd"].contains(where: { line.hasPrefix($0) }) {
            #expect(line.count == lines[0].count, "\(line)")
        }
    }

    @Test("a replay's table with users left out, byte for byte")
    func wholeTable() {
        var tally = Self.tally()
        tally.recorded(Self.record("alice@example.com", .learned))
        tally.recorded(Self.record("alice@example.com", .skipped, learner: "rspamd-fuzzy"))
        tally.recorded(Self.record("bob@example.com", .failed, learner: "spam\nassassin"))
        tally.recorded(Self.record("carol@example.org", .gone, learner: ""))
        let table = tally.table(top: 1, outcomes: true)
        #expect(
            table == """
                USER               HAM  SPAM  LEARNED  ALREADY-LEARNED  SKIPPED  GONE  FAILED
                alice@example.com    1     2        1                0        1     0       0
                ... 2 more users with 3 decisions (--top 0 shows every user)

                TOTAL                3     3        1                0        1     1       1

                LEARNER                       LEARNED  ALREADY-LEARNED  SKIPPED  GONE  FAILED
                (none)                              0                0        0     1       0
                rspamd-bayes                        1                0        0     0       0
                rspamd-fuzzy                        0                0        1     0       0
                spam?assassin                       0                0        0     0       1
                """
        )
    }

    @Test("nothing decided, no table; control characters in names do not break it")
    func edges() {
        #expect(ReplayTally().table(top: nil, outcomes: true) == "")
        var tally = ReplayTally()
        tally.decided(makeVerdict(.spam, user: "evil\u{1B}[2J\nname", msgid: "<1@x>"))
        let table = tally.table(top: nil, outcomes: false)
        #expect(!table.contains("\u{1B}"))
        #expect(table.split(separator: "\n").count == 3)
    }

    @Test("the decision counter counts what the tally counts, through growing and colliding")
    func counter() {
        var counter = DecisionCounter()
        var expected = ReplayTally()
        for index in 0..<(5000) {
            let verdict = makeVerdict(
                index % 3 == 0 ? .ham : .spam,
                user: "user\(index % 1500)@example.com",
                msgid: "<\(index)@x>"
            )
            counter.add(verdict)
            expected.decided(verdict)
        }
        let tally = counter.finish()
        #expect(tally == expected)
        #expect(tally.total.decisions == 5000)
    }
}
