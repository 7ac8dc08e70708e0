import Foundation
import JunkwatchCore
import SystemdJournal
import TestSupport
import Testing

/// `junkwatch stats` over junkwatch's records: a journal built from export text, a stream on
/// stdin, and the live journal after writing records through journald.
@Suite("junkwatch stats")
struct StatsCommandTests {
    static func record(
        _ user: String,
        _ verdict: Verdict.Kind,
        _ outcome: DecisionRecord.Outcome,
        latency: Double,
        reason: String = "copied from INBOX into Junk"
    ) -> DecisionRecord {
        DecisionRecord(
            user: user,
            verdict: verdict,
            mailbox: verdict == .spam ? "Junk" : "INBOX",
            uid: 1,
            msgid: "<m@x>",
            size: 364,
            learner: "rspamd",
            outcome: outcome,
            reason: reason,
            latency: latency
        )
    }

    /// alice and dave within the last day, bob ten days ago, a suppressed notice, someone else's entry.
    static func entries(now: UInt64) -> [(realtime: UInt64, fields: [JournalField])] {
        let hour: UInt64 = 3_600_000_000
        return [
            (now - 10 * 24 * hour, record("bob", .ham, .gone, latency: 1).journalFields()),
            (now - 3 * hour, record("alice@example.com", .spam, .learned, latency: 0.010).journalFields()),
            (now - 3 * hour + 1, record("alice@example.com", .spam, .learned, latency: 0.020).journalFields()),
            (now - 3 * hour + 2, record("alice@example.com", .spam, .learned, latency: 0.030).journalFields()),
            (now - 2 * hour, record("alice@example.com", .ham, .alreadyLearned, latency: 0.004).journalFields()),
            (
                now - 2 * hour + 1,
                record("dave smith@example.net", .spam, .failed, latency: 2.5, reason: "rspamd: HTTP 500\nbody")
                    .journalFields()
            ),
            (now - hour, JournalNotice.suppressed(unit: "dovecot.service", count: 1234).journalFields),
            (
                now - hour + 1,
                [JournalField(name: "MESSAGE", text: "x"), JournalField(name: "SYSLOG_IDENTIFIER", text: "other")]
            ),
        ]
    }

    /// Cells of a table line: apart by two spaces or more.
    static func json(_ run: CommandLineTests.Run) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
    }

    @Test(
        "a journal directory: the last 7 days by default, per user and verdict, totals, warnings",
        .requiresJournalRemote
    )
    func directory() async throws {
        let now = TimeSpecification.currentMicroseconds()
        let bytes = ExportText.entries(Self.entries(now: now))
        let directory = try await JournalFixture.make(exportText: bytes)
        defer { JournalFixture.cleanUp(directory) }

        let text = try await CommandLineTests.run(["stats", "--directory", directory])
        #expect(text.status == 0, "\(text.error)")
        let lines = text.lines
        #expect(
            lines.first?.hasSuffix("to now in the journal in \(directory): 5 records of 2 users") == true,
            "\(text.output)"
        )
        let table = lines.map(tableCells)
        #expect(
            table.contains(["alice@example.com", "spam", "3", "0", "0", "0", "0", "20 ms", "30 ms", "30 ms", "30 ms"])
        )
        #expect(
            table.contains([
                "alice@example.com", "ham", "0", "1", "0", "0", "0", "4.0 ms", "4.0 ms", "4.0 ms", "4.0 ms",
            ])
        )
        #expect(
            table.contains([
                "dave smith@example.net", "spam", "0", "0", "0", "0", "1", "2.5 s", "2.5 s", "2.5 s", "2.5 s",
            ])
        )
        #expect(table.contains(["TOTAL", "all", "3", "1", "0", "0", "1", "20 ms", "2.5 s", "2.5 s", "2.5 s"]))
        #expect(!text.output.contains("bob"))
        #expect(
            text.output.contains(
                "! 1 learn failed: journalctl -x -t junkwatch MESSAGE_ID=a10e30b5feda48e0b4c356057c9ac95e"
            )
        )
        #expect(text.output.contains("! journald suppressed 1234 messages from dovecot.service"))

        let month = try await CommandLineTests.run([
            "stats", "--directory", directory, "--since", "-30d", "--format", "json",
        ])
        #expect(month.status == 0, "\(month.error)")
        let object = try Self.json(month)
        #expect(object["records"] as? Int == 6)
        #expect(object["users"] as? Int == 3)
        #expect(object["source"] as? String == "the journal in \(directory)")

        let top = try await CommandLineTests.run(["stats", "--directory", directory, "--top", "1"])
        #expect(top.lines.contains("... 1 more user with 1 record (--top 0 shows every user, --user NAME one)"))

        let dave = try await CommandLineTests.run([
            "stats", "--directory", directory, "--user", "dave smith@example.net",
        ])
        #expect(dave.lines.first?.contains("1 record of 1 user") == true, "\(dave.output)")

        let bob = try await CommandLineTests.run(["stats", "--directory", directory, "--user", "bob"])
        #expect(bob.status == 0)
        #expect(bob.lines.first?.hasPrefix("No junkwatch decision records for bob from ") == true, "\(bob.output)")
        #expect(bob.lines.first?.hasSuffix(" to now in the journal in \(directory).") == true)
        // The notice is no user's: it shows whoever is asked about.
        #expect(bob.output.contains("! journald suppressed 1234 messages"))

        let empty = try await CommandLineTests.run([
            "stats", "--directory", directory, "--since", "-30d", "--until", "-20d", "--format", "json",
        ])
        #expect(empty.status == 0)
        #expect(try Self.json(empty)["records"] as? Int == 0)
    }

    @Test("a journalctl -o export stream on stdin counts the same")
    func stream() async throws {
        let now = TimeSpecification.currentMicroseconds()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-stats-\(UUID()).export")
            .path
        try Data(ExportText.entries(Self.entries(now: now))).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try await CommandLineTests.run(["stats", "--format", "json", "-"], stdin: path)
        #expect(run.status == 0, "\(run.error)")
        let object = try Self.json(run)
        #expect(object["records"] as? Int == 5)
        #expect(object["source"] as? String == "the stream on standard input")
        #expect(object["suppressed"] as? [String: Int] == ["dovecot.service": 1234])
        #expect(run.error.isEmpty, "\(run.error)")
    }

    @Test("entries with junkwatch's IDs that are not records are counted, and said so in one line")
    func unreadable() async throws {
        let now = TimeSpecification.currentMicroseconds()
        let forged: [JournalField] = [
            JournalField(name: "MESSAGE", text: "not a record"),
            JournalField(name: "MESSAGE_ID", text: JournalMessageID.learned.rawValue),
            JournalField(name: "SYSLOG_IDENTIFIER", text: "junkwatch"),
        ]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-stats-\(UUID()).export")
            .path
        try Data(ExportText.entries(Self.entries(now: now) + [(now - 1, forged), (now, forged)]))
            .write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try await CommandLineTests.run(["stats", path])
        #expect(run.status == 0, "\(run.error)")
        #expect(
            run.lines.first?.hasSuffix(" to now in the stream in \(path): 5 records of 2 users") == true,
            "\(run.output)"
        )
        #expect(
            run.error
                == "junkwatch: 2 entries with junkwatch's MESSAGE_IDs in the stream in \(path) are not records "
                + "junkwatch can read\n"
        )
    }

    @Test(
        "mistakes are one clear line and a non-zero exit",
        arguments: [
            (["stats", "--top", "-1"], "--top must be 0", 64),
            (["stats", "--since", "someday"], "--since someday: cannot read the time \"someday\"", 64),
            (["stats", "--until", "someday"], "--until someday: cannot read the time \"someday\"", 64),
            (
                ["stats", "--directory", "/nonexistent/journal"],
                "sd_journal_open_directory(/nonexistent/journal) failed", 1
            ),
            (["stats", "--format", "yaml"], "yaml", 64),
            (["stats", "/nonexistent/stream"], "cannot open the stream /nonexistent/stream: No such file or directory", 1),
        ]
    )
    func mistakes(arguments: [String], message: String, status: Int32) async throws {
        let run = try await CommandLineTests.run(arguments)
        #expect(run.status == status, "\(run.error)")
        #expect(run.error.contains(message), "\(run.error)")
        #expect(run.output.isEmpty, "\(run.output)")
        #expect(!run.error.contains("Fatal error"))
    }

    @Test("--help teaches with examples")
    func help() async throws {
        let run = try await CommandLineTests.run(["stats", "--help"])
        #expect(run.status == 0)
        #expect(run.output.contains("junkwatch stats --since today --user alice@example.com"))
        #expect(run.output.contains("--top <N>"))
    }

    @Test("records written through journald: journalctl shows their fields, stats counts them", .needsJournald)
    func live() async throws {
        let user = "stats test \(UUID().uuidString) o'neil+$(id)"
        let reporter = JournalDecisionReporter()
        try reporter.report(Self.record(user, .spam, .learned, latency: 0.040))
        try reporter.report(Self.record(user, .spam, .learned, latency: 0.060))
        try reporter.report(Self.record(user, .ham, .failed, latency: 1.5, reason: "sa-learn exited 2\nlocked"))

        let reader = try JournalReader(.local)
        try reader.apply(JournalDecisionReader.match(user: user))
        try reader.seekHead()
        let records = try await reader.awaitEntries(3, as: DecisionRecord.init(journalEntry:))
        #expect(records.map(\.outcome) == [.learned, .learned, .failed])
        #expect(records[2].reason == "sa-learn exited 2\nlocked")
        #expect(records[0].latency == 0.04)

        let journalctl = try #require(
            ["/usr/bin/journalctl", "/bin/journalctl"].first(where: FileManager.default.isExecutableFile)
        )
        let result = try await Program.run([
            journalctl, "-t", "junkwatch", "JUNKWATCH_USER=\(user)", "-o", "json", "--no-pager",
        ])
        let lines = result.lines
        #expect(lines.count == 3, "\(result.error)")
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for name in [
                "MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_IDENTIFIER", "JUNKWATCH_USER", "JUNKWATCH_VERDICT",
                "JUNKWATCH_MAILBOX", "JUNKWATCH_UID", "JUNKWATCH_MSGID", "JUNKWATCH_SIZE", "JUNKWATCH_LEARNER",
                "JUNKWATCH_OUTCOME", "JUNKWATCH_REASON", "JUNKWATCH_LATENCY",
            ] {
                #expect(object[name] != nil, "\(name) missing in \(line)")
            }
            #expect(object["JUNKWATCH_USER"] as? String == user)
        }

        let text = try await CommandLineTests.run(["stats", "--user", user, "--since", "-1h"])
        #expect(text.status == 0, "\(text.error)")
        let table = text.lines.map(tableCells)
        #expect(
            table.contains([user, "spam", "2", "0", "0", "0", "0", "40 ms", "60 ms", "60 ms", "60 ms"]),
            "\(text.output)"
        )
        #expect(
            table.contains([user, "ham", "0", "0", "0", "0", "1", "1.5 s", "1.5 s", "1.5 s", "1.5 s"]),
            "\(text.output)"
        )

        let json = try await CommandLineTests.run(["stats", "--user", user, "--format", "json"])
        #expect(json.status == 0, "\(json.error)")
        let object = try Self.json(json)
        #expect(object["records"] as? Int == 3)
        #expect(object["user"] as? String == user)
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.map { $0["verdict"] as? String } == ["ham", "spam"])
    }
}
