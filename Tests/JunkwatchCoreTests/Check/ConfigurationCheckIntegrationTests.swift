import Foundation
import SystemdJournal
import TestSupport
import Testing

@testable import JunkwatchCore

/// `check-config`'s checks against the testbed's journald, dovecot, rspamd and sa-learn.
@Suite(
    "Configuration check (testbed)",
    .needsTestbed,
    .usesTestbedRspamd
)
struct ConfigurationCheckIntegrationTests {
    let testbed: TestbedEnvironment

    init() throws {
        testbed = try TestbedEnvironment.current()
    }

    /// A configuration for the testbed: the local journal, its dovecot, rspamd and SpamAssassin.
    /// With `localJournal` false the journal is a small one made from the capture: a test about
    /// another check need not read the shared journal's last day, which is large and slow.
    func configuration(
        state: String,
        passwordFile: String? = nil,
        dovecotConfig: String? = nil,
        localJournal: Bool = false
    ) -> String {
        """
        \(localJournal ? "" : "[journal]\nsource = \"directory\"\npath = \"JOURNAL\"\n")
        [filters]
        paths = ["\(shippedFiltersDirectory)"]

        [doveadm]
        path = "\(testbed.doveadm)"
        config_file = "\(dovecotConfig ?? testbed.dovecotConfig)"

        [rspamd]
        url = "\(testbed.rspamdURL)"
        password_file = "\(passwordFile ?? testbed.rspamdPasswordFile)"
        fuzzy = true

        [spamassassin]
        enabled = true
        database_root = "\(testbed.spamAssassinRoot)"

        [state]
        directory = "\(state)"
        """
    }

    func run(_ text: String) async throws -> (items: [CheckItem], path: String) {
        let directory = try makeTemporaryDirectory("check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("junkwatch.toml").path
        let capture = try #require(Bundle.module.url(forResource: "Fixtures/testbed-mail-log", withExtension: "export"))
        let journal = try await JournalFixture.make(exportText: Array(try Data(contentsOf: capture)))
        defer { JournalFixture.cleanUp(journal) }
        let text = text.replacingOccurrences(of: "STATE", with: directory.path + "/state")
            .replacingOccurrences(of: "JOURNAL", with: journal)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (await ConfigurationCheck(configurationPath: path).run(), path)
    }

    /// Moves a message into Junk, so that the journal's last day holds a mail_log event, and waits
    /// for journald to have it.
    func moveSomething() async throws {
        let imap = TestbedIMAP(testbed: testbed)
        let id = "<\(TestbedEnvironment.unique("check"))@test.invalid>"
        let uid = try await imap.append(
            try await imap.message(messageID: id),
            user: "bob@example.com",
            mailbox: "INBOX"
        )
        _ = try await imap.transfer("move", user: "bob@example.com", from: "INBOX", to: "Junk", uid: uid)
        let filters = try shippedFilters("dovecot-mail-log")
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let now = UInt64(Date().timeIntervalSince1970 * 1_000_000)
            // Reading the journal blocks: not on one of the few threads every test's tasks share.
            let item = await onThreadOfItsOwn {
                ConfigurationCheck.checkJournal(.local, filters: filters, settings: Classifier.Settings(), now: now)
            }
            if item.status == .ok { return }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    @Test("the testbed's configuration passes every check")
    func allOK() async throws {
        try await moveSomething()
        let (items, path) = try await run(configuration(state: "STATE", localJournal: true))
        for item in items { #expect(item.status == .ok, "\(item)") }
        #expect(
            items.map(\.subject) == [
                "configuration", "filter dovecot-mail-log", "journal", "doveadm", "state directory",
                "learner rspamd-bayes", "learner rspamd-fuzzy", "learner spamassassin",
            ]
        )
        #expect(items[0].detail == path)
        #expect(items[2].detail.hasPrefix("the local journal: "))
        #expect(items.passed)
    }

    @Test("a wrong rspamd password fails both rspamd learners, naming the password file")
    func wrongPassword() async throws {
        let directory = try makeTemporaryDirectory("pw")
        defer { try? FileManager.default.removeItem(at: directory) }
        let password = directory.appendingPathComponent("rspamd.password").path
        try Data("not-the-password\n".utf8).write(to: URL(fileURLWithPath: password))
        let (items, _) = try await run(configuration(state: "STATE", passwordFile: password))
        let rspamd = items.filter { $0.subject.hasPrefix("learner rspamd") }
        #expect(rspamd.count == 2)
        for item in rspamd {
            #expect(item.status == .fail)
            #expect(item.detail.contains(password), "\(item)")
            #expect(item.fix?.contains("rspamd.password_file") == true)
        }
        #expect(items.first { $0.subject == "doveadm" }?.status == .ok)
        #expect(!items.passed)
    }

    @Test("a dovecot configuration that is not there fails the doveadm check, naming it")
    func missingDovecotConfiguration() async throws {
        let (items, _) = try await run(configuration(state: "STATE", dovecotConfig: "/nonexistent/dovecot.conf"))
        let doveadm = try #require(items.first { $0.subject == "doveadm" })
        #expect(doveadm.status == .fail)
        #expect(doveadm.detail.contains("/nonexistent/dovecot.conf"))
        #expect(doveadm.fix?.contains("doveadm.config_file") == true)
        #expect(!items.passed)
    }

    @Test("a dovecot configuration doveadm cannot read fails the doveadm check with doveadm's words")
    func unreadableDovecotConfiguration() async throws {
        let directory = try makeTemporaryDirectory("dc")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("dovecot.conf").path
        try Data("this is not = { dovecot configuration\n".utf8).write(to: URL(fileURLWithPath: config))
        let (items, _) = try await run(configuration(state: "STATE", dovecotConfig: config))
        let doveadm = try #require(items.first { $0.subject == "doveadm" })
        #expect(doveadm.status == .fail, "\(doveadm)")
        #expect(doveadm.detail.contains("configuration"), "\(doveadm)")
    }
}
