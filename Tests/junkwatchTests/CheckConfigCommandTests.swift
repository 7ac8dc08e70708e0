import Foundation
import TestSupport
import Testing

/// `junkwatch check-config` as an administrator runs it: a line per check, exit 0 or 1.
@Suite("junkwatch check-config", .usesTestbedRspamd)
struct CheckConfigCommandTests {
    @Test("a mistake in the configuration is a FAIL line naming the file and the key, and exit status 1")
    func badKey() async throws {
        let directory = try makeTemporaryDirectory("check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("junkwatch.toml").path
        try Data("[rspamd]\npasword_file = \"/etc/junkwatch/rspamd.password\"\n".utf8).write(
            to: URL(fileURLWithPath: path)
        )
        let run = try await CommandLineTests.run(["check-config", "--config", path])
        #expect(run.status == 1, "\(run.error)")
        #expect(
            run.lines.first?.hasPrefix("FAIL  configuration  \(path): rspamd.pasword_file: ") == true,
            "\(run.output)"
        )
        #expect(run.output.contains("fix: correct rspamd.pasword_file in \(path)"))
        #expect(run.lines.last == "junkwatch: 1 of 1 checks failed")

        let json = try await CommandLineTests.run(["check-config", "--config", path, "--format", "json"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == false)
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.first?["status"] as? String == "fail")
        #expect((checks.first?["detail"] as? String)?.contains("rspamd.pasword_file") == true)
    }

    @Test("an enabled filter that does not exist is a FAIL naming filters.enabled")
    func badFilter() async throws {
        let directory = try makeTemporaryDirectory("check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("junkwatch.toml").path
        try Data("[filters]\nenabled = [\"dovecot-2.5-mail-log\"]\n".utf8).write(to: URL(fileURLWithPath: path))
        let run = try await CommandLineTests.run(["check-config", "--config", path])
        #expect(run.status == 1)
        #expect(
            run.output.contains(
                "FAIL  filter dovecot-2.5-mail-log  \(path): filters.enabled: no filter \"dovecot-2.5-mail-log\""
            ),
            "\(run.output)"
        )
    }

    /// A configuration for the testbed's servers, reading `journal` (a small one: the local
    /// journal's last day is the core tests' business, and large and slow to read).
    static func testbedConfiguration(in directory: URL, journal: String, password: String? = nil) throws -> String {
        let testbed = try Testbed.current()
        let path = directory.appendingPathComponent("junkwatch.toml").path
        try Data(
            """
            [journal]
            source = "directory"
            path = "\(journal)"
            [doveadm]
            path = "\(testbed.doveadm)"
            config_file = "\(testbed.dovecotConfig)"
            [rspamd]
            url = "\(testbed.rspamdURL)"
            password_file = "\(password ?? testbed.rspamdPasswordFile)"
            [state]
            directory = "\(directory.path)/state"
            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(
        "against the testbed: every check passes; a wrong rspamd password fails, naming its file",
        .needsTestbed
    )
    func testbedChecks() async throws {
        let directory = try makeTemporaryDirectory("check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try await JournalFixture.make(
            exportText: Array(try Data(contentsOf: URL(fileURLWithPath: CommandLineTests.capture)))
        )
        defer { JournalFixture.cleanUp(journal) }
        let good = try Self.testbedConfiguration(in: directory, journal: journal)
        let run = try await CommandLineTests.run(["check-config", "--config", good])
        #expect(run.status == 0, "\(run.output)\(run.error)")
        #expect(!run.output.contains("FAIL"))
        for subject in [
            "configuration", "filter dovecot-mail-log", "doveadm", "state directory", "learner rspamd-bayes",
        ] {
            #expect(run.lines.contains { $0.hasPrefix("ok    \(subject) ") }, "\(subject): \(run.output)")
        }
        // The capture's entries: ok while they are under a day old, a warning (which passes) after.
        #expect(
            run.lines.contains { $0.hasPrefix("ok    journal ") || $0.hasPrefix("warn  journal ") },
            "\(run.output)"
        )

        let password = directory.appendingPathComponent("wrong.password").path
        try Data("wrong\n".utf8).write(to: URL(fileURLWithPath: password))
        let wrong = try await CommandLineTests.run([
            "check-config", "--config",
            try Self.testbedConfiguration(in: directory, journal: journal, password: password),
        ])
        #expect(wrong.status == 1)
        let failure = try #require(wrong.lines.first { $0.hasPrefix("FAIL  learner rspamd-bayes") })
        #expect(failure.contains(password), "\(wrong.output)")
        #expect(wrong.output.contains("fix: rspamd.password_file"))
    }
}
