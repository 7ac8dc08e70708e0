import Foundation
import JunkwatchCore
import TestSupport
import Testing

/// `junkwatch replay` over a test's own moves: a configuration and state directory of its own
/// (ledger, SpamAssassin databases), pointed at the testbed's dovecot and rspamd.
///
/// Every testbed on the machine logs to the same journal as `_SYSTEMD_UNIT=dovecot.service`, and
/// other suites move mail meanwhile: a replay is narrowed to the test's own users (made for it,
/// see `Testbed.addUsers`) with `--user`, and to the time since the test began with `--since`.
/// It reads the machine's journal as `junkwatch replay` does in production.
struct Replayer {
    /// Which learners the configuration enables.
    struct Learners: OptionSet {
        let rawValue: Int
        static let bayes = Learners(rawValue: 1)
        static let fuzzy = Learners(rawValue: 2)
        static let spamAssassin = Learners(rawValue: 4)
    }

    /// What a replay printed.
    struct Run {
        var status: Int32
        var records: [DecisionRecord]
        var error: String

        func records(_ outcome: DecisionRecord.Outcome, learner: String? = nil) -> [DecisionRecord] {
            records.filter { $0.outcome == outcome && (learner == nil || $0.learner == learner) }
        }
    }

    let testbed: Testbed
    let users: [String]
    let directory: URL
    let configFile: String
    /// `--since`: a little before the test began (the journal's clock is the machine's).
    let since: String

    /// The SpamAssassin databases' root (`spamassassin.database_root`).
    var spamAssassinRoot: String { directory.appendingPathComponent("sa").path }
    /// The state directory (`state.directory`), also sa-learn's HOME.
    var stateDirectory: String { directory.appendingPathComponent("state").path }

    /// Makes the test's users and writes a configuration.
    /// - Parameters:
    ///   - passwordFile: the rspamd password file; the testbed's by default.
    ///   - rspamd: more `key = value` lines for `[rspamd]`.
    ///   - extra: more TOML, as whole sections.
    init(
        testbed: Testbed,
        users: [String],
        learners: Learners = .bayes,
        passwordFile: String? = nil,
        rspamd: [String] = [],
        extra: String = ""
    ) async throws {
        self.testbed = testbed
        self.users = users
        since = "@\(Int(Date().timeIntervalSince1970) - 120)"
        directory = try makeTemporaryDirectory("replay")
        configFile = directory.appendingPathComponent("junkwatch.toml").path
        try await testbed.addUsers(users)
        let config = """
            [doveadm]
            config_file = \(Self.quoted(testbed.dovecotConfig))

            [rspamd]
            url = \(Self.quoted(testbed.rspamdURL))
            password_file = \(Self.quoted(passwordFile ?? testbed.rspamdPasswordFile))
            bayes = \(learners.contains(.bayes))
            fuzzy = \(learners.contains(.fuzzy))
            timeout = 5
            \(rspamd.joined(separator: "\n"))

            [spamassassin]
            enabled = \(learners.contains(.spamAssassin))
            database_root = \(Self.quoted(spamAssassinRoot))

            [state]
            directory = \(Self.quoted(stateDirectory))

            \(extra)
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: configFile))
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }

    private var narrowing: [String] {
        ["--config", configFile, "--since", since] + users.flatMap { ["--user", $0] }
    }

    /// Runs `junkwatch replay --format json` with `arguments` added (`--force`).
    func run(_ arguments: [String] = []) async throws -> Run {
        let result = try await Program.run(
            [CommandLineTests.program, "replay", "--format", "json"] + narrowing + arguments
        )
        let decoder = JSONDecoder()
        var records: [DecisionRecord] = []
        for line in result.lines {
            do {
                records.append(try decoder.decode(DecisionRecord.self, from: Data(line.utf8)))
            } catch {
                Issue.record("not a record: \(line) (\(error))")
            }
        }
        return Run(status: result.status, records: records, error: result.error)
    }

    /// Waits until the journal holds `count` decisions for the test's users (dovecot's lines go
    /// through syslog and journald: they arrive a moment after the IMAP command ends).
    func awaitDecisions(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        var seen = 0
        while ContinuousClock.now < deadline {
            let result = try await Program.check(
                [CommandLineTests.program, "replay", "--dry-run", "--format", "json"] + narrowing
            )
            seen = result.lines.count
            if seen >= count { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the journal shows \(seen) decisions for \(users), not \(count), after 20 s")
    }

    /// A TOML basic string.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
