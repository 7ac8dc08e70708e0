import Foundation
import SystemdJournal
import TestSupport
import Testing

@testable import JunkwatchCore

/// A learner whose check answers as told.
struct CheckingLearner: Learner {
    let name: String
    let problem: StageError?

    func learn(_ message: [UInt8], as verdict: MessageClass, locator: MessageLocator, reversal: Bool) async
        -> LearnOutcome
    {
        .learned(detail: "")
    }

    func check() async -> StageError? { problem }
}

/// `junkwatch check-config`'s checks, one by one, with files made for each test and fake programs.
@Suite("Configuration check")
struct ConfigurationCheckTests {
    /// Writes `text` to `name` in `directory`; returns the path.
    static func write(_ text: String, _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static func check(_ path: String, defaultsIfMissing: Bool = false, now: UInt64 = 0) -> ConfigurationCheck {
        ConfigurationCheck(configurationPath: path, defaultsIfMissing: defaultsIfMissing, now: now)
    }

    // MARK: The configuration file

    @Test("an unknown key is one failure naming the file and the key, and nothing else is checked")
    func unknownKey() async throws {
        let directory = try makeTemporaryDirectory("check")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let path = try Self.write("[classify]\njunk_mailboxen = [\"Junk\"]\n", "junkwatch.toml", in: directory)
            let items = await Self.check(path).run()
            #expect(items.count == 1)
            let item = try #require(items.first)
            #expect(item.status == .fail && item.subject == "configuration")
            #expect(item.detail.hasPrefix("\(path): classify.junk_mailboxen: "), "\(item.detail)")
            #expect(item.fix?.contains("correct classify.junk_mailboxen in \(path)") == true)
            #expect(!items.passed)
        }
    }

    @Test("a value of the wrong type names the key; a syntax error the line")
    func wrongValues() throws {
        try withTemporaryDirectory { directory in
            let typed = try Self.write("[state]\ndedupe_days = \"thirty\"\n", "typed.toml", in: directory)
            let (_, typedItem) = Self.check(typed).loadConfiguration()
            #expect(typedItem.status == .fail)
            #expect(typedItem.detail.contains(typed) && typedItem.detail.contains("state.dedupe_days"))
            let broken = try Self.write("[state\ndirectory = \n", "broken.toml", in: directory)
            let (configuration, brokenItem) = Self.check(broken).loadConfiguration()
            #expect(configuration == nil && brokenItem.status == .fail)
            #expect(brokenItem.detail.contains(broken))
            #expect(brokenItem.fix?.contains("TOML syntax") == true, "\(brokenItem)")
        }
    }

    @Test("--config must exist; the default path may be missing")
    func missingFile() {
        let (_, named) = Self.check("/nonexistent/junkwatch.toml").loadConfiguration()
        #expect(named.status == .fail && named.detail.hasPrefix("/nonexistent/junkwatch.toml: cannot read the file"))
        let (configuration, defaulted) = Self.check("/nonexistent/junkwatch.toml", defaultsIfMissing: true)
            .loadConfiguration()
        #expect(configuration == Configuration() && defaulted.status == .ok)
        #expect(defaulted.detail.contains("every setting has its default"))
    }

    // MARK: Filters

    @Test("an enabled filter that is nowhere is a failure naming the configuration file and filters.enabled")
    func unknownFilter() throws {
        var configuration = Configuration()
        configuration.filters.enabled = ["dovecot-mail-log", "dovecot-maillog"]
        let check = Self.check("/etc/junkwatch/test.toml")
        let (filters, items) = check.checkFilters(configuration, paths: ["/nonexistent", shippedFiltersDirectory])
        #expect(filters == nil)
        #expect(items.count == 2)
        #expect(items[0].status == .ok && items[0].subject == "filter dovecot-mail-log")
        #expect(items[0].detail.hasPrefix(shippedFiltersDirectory + "/dovecot-mail-log.toml: "))
        #expect(items[1].status == .fail && items[1].subject == "filter dovecot-maillog")
        #expect(
            items[1].detail
                == "/etc/junkwatch/test.toml: filters.enabled: no filter \"dovecot-maillog\" (dovecot-maillog.toml) "
                + "in /nonexistent, \(shippedFiltersDirectory)"
        )
        #expect(items[1].fix?.contains("correct filters.enabled in /etc/junkwatch/test.toml") == true)
    }

    @Test("a filter file with a broken rule is a failure naming the file and the rule")
    func brokenFilter() throws {
        try withTemporaryDirectory { directory in
            let file = try Self.write(
                """
                [[rule]]
                name = "copy"
                event = "copy"
                prefilter = "copy from "
                pattern = '^(?<service>[a-z]+)\\((?<user>.+?)\\): copy from'
                """,
                "site.toml",
                in: directory
            )
            var configuration = Configuration()
            configuration.filters.enabled = ["site"]
            let (filters, items) = Self.check("/etc/junkwatch/junkwatch.toml")
                .checkFilters(configuration, paths: [directory.path])
            #expect(filters == nil)
            let item = try #require(items.first)
            #expect(item.status == .fail)
            #expect(item.detail.hasPrefix("\(file): rule \"copy\": "), "\(item.detail)")
            #expect(item.fix?.contains(file) == true)
        }
    }

    // MARK: The journal

    static let fixtureEnd: UInt64 = 1_795_226_637_394_143

    static func fixtureJournal() async throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/testbed-mail-log", withExtension: "export"))
        return try await JournalFixture.make(exportText: Array(try Data(contentsOf: url)))
    }

    @Test("the journal's last day: entries, mail events and what there is to learn", .requiresJournalRemote)
    func journal() async throws {
        let directory = try await Self.fixtureJournal()
        defer { JournalFixture.cleanUp(directory) }
        let filters = try shippedFilters("dovecot-mail-log")
        let item = ConfigurationCheck.checkJournal(
            .directory(directory),
            filters: filters,
            settings: Classifier.Settings(),
            now: Self.fixtureEnd + 3_600_000_000
        )
        #expect(item.status == .ok)
        #expect(item.detail.hasPrefix("the journal in \(directory): 105 dovecot entries in the last day"))
        #expect(item.detail.hasSuffix("in the last day, 35 mail events, 10 to learn from"), "\(item.detail)")
    }

    @Test("no entry in the last day is a warning saying when the newest was", .requiresJournalRemote)
    func quietJournal() async throws {
        let directory = try await Self.fixtureJournal()
        defer { JournalFixture.cleanUp(directory) }
        let item = ConfigurationCheck.checkJournal(
            .directory(directory),
            filters: try shippedFilters("dovecot-mail-log"),
            settings: Classifier.Settings(),
            now: Self.fixtureEnd + 3 * 86_400_000_000
        )
        #expect(item.status == .warn)
        #expect(
            item.detail.contains("in the last day; the newest is from \(TimeSpecification.format(Self.fixtureEnd))")
        )
        #expect(item.fix?.contains("systemd-journal group") == true)
    }

    @Test("dovecot entries but no mail_log event is a warning about mail_log and the filter", .requiresJournalRemote)
    func noMailLog() async throws {
        // The 2.4 filter reads none of dovecot 2.3's lines.
        let directory = try await Self.fixtureJournal()
        defer { JournalFixture.cleanUp(directory) }
        let item = ConfigurationCheck.checkJournal(
            .directory(directory),
            filters: try shippedFilters("dovecot-2.4-mail-log"),
            settings: Classifier.Settings(),
            now: Self.fixtureEnd + 3_600_000_000
        )
        #expect(item.status == .warn)
        #expect(item.detail.contains("none a mail_log event the filters read"), "\(item.detail)")
        #expect(item.fix?.contains("mail_log_events") == true && item.fix?.contains("filters.enabled") == true)
    }

    @Test("a journal that cannot be opened is a failure")
    func missingJournal() throws {
        let item = ConfigurationCheck.checkJournal(
            .directory("/nonexistent/journal"),
            filters: try shippedFilters("dovecot-mail-log"),
            settings: Classifier.Settings(),
            now: Self.fixtureEnd
        )
        #expect(item.status == .fail && item.detail.contains("/nonexistent/journal"))
    }

    // MARK: doveadm

    @Test("doveadm: a user lookup that answers passes, whatever the user", arguments: [0, 67])
    func doveadmAnswers(status: Int) async throws {
        let fake = try FakeProgram("echo \"$@\" > \"$(dirname \"$0\")/arguments\"\nexit \(status)")
        defer { fake.remove() }
        let config = fake.file("dovecot.conf")
        try Data().write(to: URL(fileURLWithPath: config))
        let item = await Self.check("/etc/junkwatch/junkwatch.toml")
            .checkDoveadm(Configuration.Doveadm(path: fake.path, configFile: config))
        #expect(item.status == .ok, "\(item)")
        let arguments = try String(contentsOfFile: fake.file("arguments"), encoding: .utf8)
        #expect(arguments == "-c \(config) user -- junkwatch-check-config\n")
    }

    @Test(
        "doveadm failures name what to fix",
        arguments: [
            ("echo 'Fatal: Error reading configuration: stat(/x) failed' >&2; exit 75", "doveadm.config_file"),
            ("echo 'auth-master: connect(auth-userdb) failed: Permission denied' >&2; exit 75", "auth-userdb"),
            ("echo 'connect(auth-userdb) failed: No such file or directory' >&2; exit 75", "start dovecot"),
            ("exit 64", "doveadm -c"),
        ]
    )
    func doveadmFails(script: String, fix: String) async throws {
        let fake = try FakeProgram(script)
        defer { fake.remove() }
        let config = fake.file("dovecot.conf")
        try Data().write(to: URL(fileURLWithPath: config))
        let item = await Self.check("/etc/junkwatch/junkwatch.toml")
            .checkDoveadm(Configuration.Doveadm(path: fake.path, configFile: config))
        #expect(item.status == .fail)
        #expect(item.fix?.contains(fix) == true, "\(item)")
    }

    @Test("no doveadm, or no dovecot configuration file, is a failure naming the setting")
    func doveadmMissing() async {
        let check = Self.check("/etc/junkwatch/junkwatch.toml")
        let program = await check.checkDoveadm(Configuration.Doveadm(path: "/nonexistent/doveadm"))
        #expect(program.status == .fail && program.detail == "no doveadm at /nonexistent/doveadm")
        #expect(program.fix?.contains("doveadm.path in /etc/junkwatch/junkwatch.toml") == true)
        let config = await check.checkDoveadm(
            Configuration.Doveadm(path: "/bin/true", configFile: "/nonexistent/dovecot.conf")
        )
        #expect(config.status == .fail && config.detail.contains("/nonexistent/dovecot.conf cannot be read"))
        #expect(config.fix?.contains("doveadm.config_file in /etc/junkwatch/junkwatch.toml") == true)
    }

    // MARK: The state directory

    @Test("the state directory: an existing ledger opens, a new place is writable, a file is no directory")
    func state() throws {
        try withTemporaryDirectory { directory in
            let check = Self.check("/etc/junkwatch/junkwatch.toml")
            let fresh = directory.appendingPathComponent("state/junkwatch").path
            let new = check.checkState(fresh)
            #expect(new.status == .ok && new.detail.contains("is made there (created, mode 0700)"), "\(new)")
            // The check creates nothing.
            #expect(!FileManager.default.fileExists(atPath: fresh))

            let existing = directory.appendingPathComponent("existing").path
            let ledger = try Ledger(directory: existing)
            try ledger.saveCursor("s=1;i=2")
            let opened = check.checkState(existing)
            #expect(
                opened.status == .ok && opened.detail.contains("the ledger opens, a journal cursor saved"),
                "\(opened)"
            )

            let file = try Self.write("", "not-a-directory", in: directory)
            let broken = check.checkState(file + "/state")
            #expect(broken.status == .fail && broken.detail.contains("not-a-directory is not a directory"), "\(broken)")
            #expect(broken.fix?.contains("state.directory in /etc/junkwatch/junkwatch.toml") == true)
        }
    }

    // MARK: Learners

    @Test("each learner's check is an item; a refused password points at the password setting")
    func learners() async {
        let check = Self.check("/etc/junkwatch/junkwatch.toml")
        var configuration = Configuration()
        configuration.rspamd.passwordFile = "/etc/junkwatch/rspamd.password"
        let items = await check.checkLearners(
            [
                CheckingLearner(name: "rspamd-bayes", problem: nil),
                CheckingLearner(
                    name: "rspamd-fuzzy",
                    problem: .configuration("rspamd refused the password from the rspamd password file /x (HTTP 401)")
                ),
                CheckingLearner(name: "spamassassin", problem: .transient("sa-learn hung")),
            ],
            configuration: configuration
        )
        #expect(items.map(\.status) == [.ok, .fail, .fail])
        #expect(items[0].detail == "rspamd's controller at http://127.0.0.1:11334 answers, password accepted")
        #expect(items[1].detail.contains("/x"))
        #expect(items[1].fix?.contains("rspamd.password_file") == true)
        #expect(items[2].fix?.contains("[spamassassin]") == true)
        var none = Configuration()
        none.rspamd.enabled = false
        let disabled = await check.checkLearners(none)
        #expect(
            disabled.count == 1 && disabled[0].status == .fail && disabled[0].detail.contains("no learner is enabled")
        )
    }

    // MARK: Output

    @Test("text: a line per check, the fix under a failure, a count; JSON: one object")
    func output() throws {
        let items = [
            CheckItem(.ok, "configuration", "/etc/junkwatch/junkwatch.toml"),
            CheckItem(.warn, "journal", "nothing in the last day", fix: "look"),
            CheckItem(.fail, "learner rspamd-bayes", "refused", fix: "fix the password"),
        ]
        #expect(
            items.text == """
                ok    configuration         /etc/junkwatch/junkwatch.toml
                warn  journal               nothing in the last day
                                            fix: look
                FAIL  learner rspamd-bayes  refused
                                            fix: fix the password

                junkwatch: 1 of 3 checks failed, 1 warned
                """
        )
        #expect(!items.passed)
        #expect(Array(items.prefix(2)).passed)
        #expect(Array(items.prefix(2)).text.hasSuffix("junkwatch: all 2 checks passed, 1 with a warning"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(items.json.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == false)
        #expect(object["failed"] as? Int == 1 && object["warnings"] as? Int == 1 && object["passed"] as? Int == 1)
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.map { $0["status"] as? String } == ["ok", "warn", "fail"])
        #expect(checks[0]["fix"] is NSNull && checks[2]["fix"] as? String == "fix the password")
    }
}
