import Foundation
import TestSupport
import Testing

@testable import JunkwatchCore

@Suite("Decision statistics")
struct DecisionStatisticsTests {
    static func record(
        _ user: String,
        _ verdict: Verdict.Kind,
        _ outcome: DecisionRecord.Outcome?,
        latency: Double? = nil,
        learner: String = "rspamd"
    ) -> DecisionRecord {
        DecisionRecord(
            user: user,
            verdict: verdict,
            mailbox: verdict == .spam ? "Junk" : "INBOX",
            learner: learner,
            outcome: outcome,
            reason: "test",
            latency: latency
        )
    }

    @Test("nearest-rank percentiles")
    func percentiles() {
        let ten = (1...10).map(Double.init)
        #expect(DecisionStatistics.percentile(50, ofSorted: ten) == 5)
        #expect(DecisionStatistics.percentile(90, ofSorted: ten) == 9)
        #expect(DecisionStatistics.percentile(99, ofSorted: ten) == 10)
        #expect(DecisionStatistics.percentile(100, ofSorted: ten) == 10)
        #expect(DecisionStatistics.percentile(0, ofSorted: ten) == 1)
        let hundred = (1...100).map(Double.init)
        #expect(DecisionStatistics.percentile(50, ofSorted: hundred) == 50)
        #expect(DecisionStatistics.percentile(99, ofSorted: hundred) == 99)
        let thousand = (1...1000).map(Double.init)
        #expect(DecisionStatistics.percentile(99, ofSorted: thousand) == 990)
        #expect(DecisionStatistics.percentile(90, ofSorted: [7]) == 7)
        let latency = DecisionStatistics.Latency([0.3, 0.1, 0.2])
        #expect(latency == DecisionStatistics.Latency([0.1, 0.2, 0.3]))
        #expect(latency?.p50 == 0.2)
        #expect(latency?.max == 0.3)
        #expect(latency?.count == 3)
        #expect(DecisionStatistics.Latency([]) == nil)
    }

    @Test("counts per user and verdict, totals per verdict, per learner and overall")
    func aggregation() {
        var statistics = DecisionStatistics()
        statistics.add(Self.record("alice", .spam, .learned, latency: 0.1))
        statistics.add(Self.record("alice", .spam, .learned, latency: 0.3))
        statistics.add(Self.record("alice", .spam, .alreadyLearned, latency: 0.2, learner: "rspamd-fuzzy"))
        statistics.add(Self.record("alice", .ham, .failed, latency: 5))
        statistics.add(Self.record("bob", .ham, .gone))
        statistics.add(Self.record("bob", .spam, .skipped, latency: 0.05, learner: "rspamd-fuzzy"))
        // A dry run's record teaches nothing and is not counted.
        statistics.add(Self.record("carol", .spam, nil))
        #expect(statistics.recordCount == 6)
        #expect(statistics.userCount == 2)

        let shown = statistics.userRows()
        #expect(shown.moreUsers == 0)
        #expect(
            shown.rows.map { "\($0.user!) \($0.verdict!.rawValue) \($0.counts.total)" } == [
                "alice ham 1", "alice spam 3", "bob ham 1", "bob spam 1",
            ]
        )
        let aliceSpam = shown.rows[1]
        #expect(aliceSpam.counts.learned == 2 && aliceSpam.counts.alreadyLearned == 1)
        #expect(aliceSpam.latency?.p50 == 0.2 && aliceSpam.latency?.max == 0.3)
        #expect(shown.rows[2].latency == nil)

        let totals = statistics.verdictTotals
        #expect(totals.map(\.verdict) == [.ham, .spam])
        #expect(totals[0].counts.failed == 1 && totals[0].counts.gone == 1)
        #expect(totals[1].counts.learned == 2 && totals[1].counts.skipped == 1)
        #expect(totals[1].latency?.count == 4)

        let total = statistics.total
        #expect(total.counts.total == 6)
        #expect(total.latency?.max == 5)
        #expect(total.user == nil && total.verdict == nil)

        let learners = statistics.learnerRows
        #expect(learners.map(\.learner) == ["rspamd", "rspamd-fuzzy"])
        #expect(learners[0].counts.total == 4)
        #expect(learners[1].counts.alreadyLearned == 1 && learners[1].counts.skipped == 1)
    }

    @Test("the top users by records, ties by name, and how many are left out")
    func top() {
        var statistics = DecisionStatistics()
        for (user, count) in [("dave", 2), ("alice", 5), ("carol", 2), ("bob", 1)] {
            for _ in 0..<count { statistics.add(Self.record(user, .spam, .learned)) }
        }
        let two = statistics.userRows(top: 2)
        #expect(two.rows.compactMap(\.user) == ["alice", "carol"])
        #expect(two.moreUsers == 2)
        #expect(two.moreRecords == 3)
        #expect(statistics.userRows(top: 0).rows.isEmpty)
        #expect(statistics.userRows(top: 10).moreUsers == 0)
        #expect(statistics.userRows().rows.compactMap(\.user) == ["alice", "carol", "dave", "bob"])
    }

    @Test("notices are summed: suppressed per unit, lost cursors, waits per learner")
    func notices() {
        var statistics = DecisionStatistics()
        statistics.add(.suppressed(unit: "dovecot.service", count: 100))
        statistics.add(.suppressed(unit: "dovecot.service", count: 23))
        statistics.add(.cursorLost(savedCursor: "s=1", resumedRealtime: nil))
        statistics.add(.transientFailure(learner: "rspamd", reason: "down", retryIn: .seconds(1)))
        statistics.add(.transientFailure(learner: "rspamd", reason: "down", retryIn: .seconds(2)))
        #expect(statistics.suppressed == ["dovecot.service": 123])
        #expect(statistics.cursorsLost == 1)
        #expect(statistics.transientFailures == ["rspamd": 2])
        #expect(statistics.recordCount == 0)
    }
}

@Suite("The stats report")
struct DecisionStatisticsReportTests {
    static func statistics() -> DecisionStatistics {
        var statistics = DecisionStatistics()
        typealias R = DecisionStatisticsTests
        for latency in [0.012, 0.015, 0.020, 0.5] {
            statistics.add(R.record("alice@example.com", .spam, .learned, latency: latency))
        }
        statistics.add(R.record("alice@example.com", .ham, .alreadyLearned, latency: 0.004))
        statistics.add(R.record("dave smith@example.net", .spam, .failed, latency: 75))
        statistics.add(R.record("bob", .ham, .gone, latency: 7300, learner: "rspamd-fuzzy"))
        statistics.add(.suppressed(unit: "dovecot.service", count: 1234))
        return statistics
    }

    @Test("text: an aligned table with totals, learners and warnings")
    func text() throws {
        let report = DecisionStatisticsReport(
            statistics: Self.statistics(),
            since: 1_763_000_000_000_000,
            until: nil,
            source: "the local journal",
            top: 2
        )
        let text = report.text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("junkwatch decisions from "))
        #expect(lines[0].hasSuffix(" to now in the local journal: 7 records of 3 users"))
        let header = try #require(lines.first { $0.hasPrefix("USER") })
        #expect(header.contains("VERDICT  LEARNED  ALREADY-LEARNED  SKIPPED  GONE  FAILED"))
        // Numbers are right-aligned under their headers: every row's FAILED count ends where the header does.
        let failedEnd = try #require(header.range(of: "FAILED")).upperBound.utf16Offset(in: header)
        let rows = lines.filter {
            $0.hasPrefix("alice") || $0.hasPrefix("bob") || $0.hasPrefix("TOTAL") || $0.hasPrefix("rspamd")
        }
        #expect(rows.count == 3 + 3 + 2)
        for row in rows {
            let index = row.utf8.index(row.utf8.startIndex, offsetBy: failedEnd - 1)
            #expect(row.utf8[index] != UInt8(ascii: " "), "misaligned: \(row)")
            #expect(row.utf8[row.utf8.index(after: index)] == UInt8(ascii: " "), "misaligned: \(row)")
        }
        // Cells are apart by two spaces or more; within a cell there is at most one.
        // dave has as many records as bob but comes later by name: he is the one left out.
        #expect(!text.contains("dave"))
        #expect(lines.contains { $0.hasPrefix("... 1 more user with 1 record (--top 0 shows every user") })
        let table = lines.map(tableCells)
        #expect(
            table.contains([
                "alice@example.com", "spam", "4", "0", "0", "0", "0", "15 ms", "500 ms", "500 ms", "500 ms",
            ])
        )
        #expect(
            table.contains([
                "alice@example.com", "ham", "0", "1", "0", "0", "0", "4.0 ms", "4.0 ms", "4.0 ms", "4.0 ms",
            ])
        )
        #expect(
            table.contains([
                "bob", "ham", "0", "0", "0", "1", "0", "2 h 02 min", "2 h 02 min", "2 h 02 min", "2 h 02 min",
            ])
        )
        #expect(
            table.contains(["TOTAL", "all", "4", "1", "0", "1", "1", "20 ms", "2 h 02 min", "2 h 02 min", "2 h 02 min"])
        )
        #expect(
            table.contains([
                "TOTAL", "spam", "4", "0", "0", "0", "1", "20 ms", "1 min 15 s", "1 min 15 s", "1 min 15 s",
            ])
        )
        #expect(
            table.contains([
                "LEARNER", "LEARNED", "ALREADY-LEARNED", "SKIPPED", "GONE", "FAILED", "P50", "P90", "P99", "MAX",
            ])
        )
        #expect(
            table.contains([
                "rspamd-fuzzy", "0", "0", "0", "1", "0", "2 h 02 min", "2 h 02 min", "2 h 02 min", "2 h 02 min",
            ])
        )
        #expect(lines.contains { $0.hasPrefix("rspamd-fuzzy") })
        #expect(
            text.contains(
                "! 1 learn failed: journalctl -x -t junkwatch MESSAGE_ID=a10e30b5feda48e0b4c356057c9ac95e --since \""
            )
        )
        #expect(text.contains("! journald suppressed 1234 messages from dovecot.service"))
        // The last warning ends the text: a caller adds the newline it needs.
        #expect(lines.last?.hasPrefix("! journald suppressed 1234 messages") == true)
    }

    @Test("text: the whole report, byte for byte, with every kind of warning")
    func wholeText() {
        var statistics = Self.statistics()
        statistics.add(
            DecisionStatisticsTests.record("bell\u{7}user", .spam, .learned, latency: 1.25, learner: "spam\nassassin")
        )
        statistics.add(.cursorLost(savedCursor: "s=1", resumedRealtime: nil))
        statistics.add(.transientFailure(learner: "rspamd", reason: "down", retryIn: .seconds(2)))
        statistics.add(.transientFailure(learner: "rspamd", reason: "down", retryIn: .seconds(4)))
        let report = DecisionStatisticsReport(
            statistics: statistics,
            since: nil,
            until: nil,
            source: "the local journal",
            top: 3
        )
        #expect(
            report.text == """
                junkwatch decisions from the beginning to now in the local journal: 8 records of 4 users

                USER               VERDICT  LEARNED  ALREADY-LEARNED  SKIPPED  GONE  FAILED         P50         P90         P99         MAX
                alice@example.com  ham            0                1        0     0       0      4.0 ms      4.0 ms      4.0 ms      4.0 ms
                alice@example.com  spam           4                0        0     0       0       15 ms      500 ms      500 ms      500 ms
                bell?user          spam           1                0        0     0       0       1.3 s       1.3 s       1.3 s       1.3 s
                bob                ham            0                0        0     1       0  2 h 02 min  2 h 02 min  2 h 02 min  2 h 02 min
                ... 1 more user with 1 record (--top 0 shows every user, --user NAME one)

                TOTAL              ham            0                1        0     1       0      4.0 ms  2 h 02 min  2 h 02 min  2 h 02 min
                TOTAL              spam           5                0        0     0       1       20 ms  1 min 15 s  1 min 15 s  1 min 15 s
                TOTAL              all            5                1        0     1       1       20 ms  2 h 02 min  2 h 02 min  2 h 02 min

                LEARNER                     LEARNED  ALREADY-LEARNED  SKIPPED  GONE  FAILED         P50         P90         P99         MAX
                rspamd                            4                1        0     0       1       15 ms  1 min 15 s  1 min 15 s  1 min 15 s
                rspamd-fuzzy                      0                0        0     1       0  2 h 02 min  2 h 02 min  2 h 02 min  2 h 02 min
                spam?assassin                     1                0        0     0       0       1.3 s       1.3 s       1.3 s       1.3 s

                ! 1 learn failed: journalctl -x -t junkwatch MESSAGE_ID=a10e30b5feda48e0b4c356057c9ac95e shows why
                ! journald suppressed 1234 messages from dovecot.service: moves logged there were never seen (journalctl -x -t junkwatch MESSAGE_ID=0e10259700d54d1c80785ad1ac3526ae)
                ! the saved journal cursor was lost 1 time: history was skipped (journalctl -x -t junkwatch MESSAGE_ID=76ab99792dc8462ba58a2d54c5ca2641)
                ! rspamd failed for a while 2 times and junkwatch waited (journalctl -x -t junkwatch MESSAGE_ID=ddc1e3c5dee9420da81e746630f44465)
                """
        )
    }

    @Test("text: nothing found says where it looked")
    func empty() {
        let report = DecisionStatisticsReport(
            statistics: DecisionStatistics(),
            since: nil,
            until: nil,
            source: "the journal in /srv/j",
            user: "alice"
        )
        #expect(
            report.text.hasPrefix(
                "No junkwatch decision records for alice from the beginning to now in the journal in /srv/j.\n"
            )
        )
        #expect(report.text.contains("JUNKWATCH_USER=alice"))
    }

    @Test("JSON: one object with rows, totals, learners and notices")
    func json() throws {
        let report = DecisionStatisticsReport(
            statistics: Self.statistics(),
            since: 1_763_000_000_000_000,
            until: 1_763_100_000_000_000,
            source: "the local journal",
            top: 2
        )
        let line = report.json
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["since"] as? Int == 1_763_000_000_000_000)
        #expect(object["until"] as? Int == 1_763_100_000_000_000)
        #expect(object["records"] as? Int == 7)
        #expect(object["users"] as? Int == 3)
        #expect(object["more_users"] as? Int == 1)
        #expect(object["more_records"] as? Int == 1)
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.count == 3)
        let aliceSpam = try #require(
            rows.first { $0["user"] as? String == "alice@example.com" && $0["verdict"] as? String == "spam" }
        )
        #expect(aliceSpam["learned"] as? Int == 4)
        #expect(aliceSpam["records"] as? Int == 4)
        let latency = try #require(aliceSpam["latency"] as? [String: Double])
        #expect(latency == ["p50": 0.015, "p90": 0.5, "p99": 0.5, "max": 0.5])
        let totals = try #require(object["totals"] as? [[String: Any]])
        #expect(totals.map { $0["verdict"] as? String } == ["ham", "spam", "all"])
        #expect(totals[2]["failed"] as? Int == 1)
        let learners = try #require(object["learners"] as? [[String: Any]])
        #expect(learners.map { $0["learner"] as? String } == ["rspamd", "rspamd-fuzzy"])
        #expect(object["suppressed"] as? [String: Int] == ["dovecot.service": 1234])
    }

    @Test(
        "latencies for people",
        arguments: [
            (0.0004, "0.4 ms"), (0.0042, "4.2 ms"), (0.012, "12 ms"), (0.9994, "999 ms"), (1.25, "1.3 s"),
            (59.9, "59.9 s"), (75, "1 min 15 s"), (3599, "59 min 59 s"), (7300, "2 h 02 min"), (36000, "10 h 00 min"),
        ]
    )
    func durations(_ seconds: Double, _ expected: String) {
        #expect(DecisionStatisticsReport.duration(seconds) == expected)
    }
}
