import Foundation
import JunkwatchCore
import TestSupport
import Testing

/// The rspamd learners against the testbed's rspamd 3.4 (Redis Bayes with per_user, a local
/// fuzzy storage that syncs every second). Serialized: one test stops and restarts rspamd, and
/// holds it exclusively meanwhile, so that no other suite sees it down.
@Suite(
    "rspamd learners (testbed rspamd)",
    .serialized,
    .usesTestbedRspamd,
    .needsTestbed
)
struct RspamdIntegrationTests {
    let testbed: TestbedEnvironment
    let imap: TestbedIMAP
    let controller: RspamdController

    init() throws {
        testbed = try TestbedEnvironment.current()
        imap = TestbedIMAP(testbed: testbed)
        controller = RspamdController(
            configuration: .init(
                url: testbed.rspamdURL,
                password: .file(testbed.rspamdPasswordFile),
                timeout: .seconds(10)
            )
        )
    }

    func message(_ label: String, spam: Bool = false) async throws -> (bytes: [UInt8], id: String) {
        let id = "<\(TestbedEnvironment.unique(label))@test.invalid>"
        return (Array(try await imap.message(messageID: id, spam: spam)), id)
    }

    func locator(_ user: String, _ id: String) -> MessageLocator {
        MessageLocator(user: user, mailbox: "Junk", uid: 1, messageID: id)
    }

    func controller(password: RspamdPassword, url: String? = nil) -> RspamdController {
        RspamdController(configuration: .init(url: url ?? testbed.rspamdURL, password: password, timeout: .seconds(10)))
    }

    func error(_ outcome: LearnOutcome) -> StageError? {
        if case .failed(let error) = outcome { return error }
        Issue.record("expected a failure, got \(outcome)")
        return nil
    }

    // MARK: - Bayes over HTTP

    @Test("learning ham for one user counts in that user's Bayes only; again is already learned; spam relearns")
    func bayesPerUser() async throws {
        let learner = RspamdLearner(controller: controller)
        let userA = TestbedEnvironment.unique("a") + "@example.com"
        let userB = TestbedEnvironment.unique("b") + "@example.com"
        let (message, id) = try await message("bayes")

        let first = await learner.learn(message, as: .ham, locator: locator(userA, id), reversal: false)
        #expect(first.outcome == .learned, "\(first)")
        #expect(try await testbed.bayesLearns(userA).ham == 1)
        #expect(try await testbed.bayesLearns(userB).ham == 0)

        let second = await learner.learn(message, as: .ham, locator: locator(userA, id), reversal: false)
        #expect(second == .alreadyLearned(detail: "\(id) has been already learned as ham, ignore it"))
        #expect(try await testbed.bayesLearns(userA).ham == 1)

        let reversed = await learner.learn(message, as: .spam, locator: locator(userA, id), reversal: true)
        #expect(reversed.outcome == .learned, "\(reversed)")
        #expect(try await testbed.bayesLearns(userA).ham == 0)
        #expect(try await testbed.bayesLearns(userA).spam == 1)
    }

    @Test("domain scope sends the domain as Deliver-To")
    func bayesPerDomain() async throws {
        let domain = TestbedEnvironment.unique("dom") + ".example"
        let learner = RspamdLearner(controller: controller, scope: .domain)
        let (message, id) = try await message("domain")
        let outcome = await learner.learn(message, as: .spam, locator: locator("alice@\(domain)", id), reversal: false)
        #expect(outcome.outcome == .learned, "\(outcome)")
        #expect(try await testbed.bayesLearns(domain).spam == 1)
    }

    @Test("a user called x$(reboot)@example.com is sent verbatim")
    func bayesShellUser() async throws {
        let user = "x$(reboot)@example.com"
        let before = try await testbed.bayesLearns(user).spam
        let (message, id) = try await message("reboot")
        let learner = RspamdLearner(controller: controller)
        let outcome = await learner.learn(message, as: .spam, locator: locator(user, id), reversal: false)
        #expect(outcome.outcome == .learned, "\(outcome)")
        #expect(try await testbed.bayesLearns(user).spam == before + 1)
    }

    @Test("a message with too few tokens is skipped (HTTP 204)")
    func bayesTooShort() async throws {
        let id = "<\(TestbedEnvironment.unique("short"))@test.invalid>"
        let message = Array("Message-ID: \(id)\r\nSubject: hi\r\n\r\nhi\r\n".utf8)
        let user = TestbedEnvironment.unique("short") + "@example.com"
        let learner = RspamdLearner(controller: controller)
        let outcome = await learner.learn(message, as: .ham, locator: locator(user, id), reversal: false)
        #expect(outcome.outcome == .skipped, "\(outcome)")
    }

    @Test("a wrong password file is a configuration error naming that file")
    func wrongPassword() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-wrong-\(UUID().uuidString)")
        try Data("not-the-password\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (message, id) = try await message("wrongpw")
        let learner = RspamdLearner(controller: controller(password: .file(file.path)))
        let failure = error(
            await learner.learn(message, as: .ham, locator: locator("alice@example.com", id), reversal: false)
        )
        #expect(failure?.kind == .configuration)
        #expect(failure?.message.contains(file.path) == true)
        #expect(failure?.message.contains("401") == true)
    }

    @Test("no password where rspamd wants one points at the password file and secure_ip")
    func noPassword() async throws {
        let (message, id) = try await message("nopw")
        let learner = RspamdLearner(controller: controller(password: .none))
        let failure = error(
            await learner.learn(message, as: .ham, locator: locator("alice@example.com", id), reversal: false)
        )
        #expect(failure?.kind == .configuration)
        #expect(failure?.message.contains("secure_ip") == true)
    }

    @Test("a missing password file is a configuration error before any request")
    func missingPasswordFile() async throws {
        let learner = RspamdLearner(controller: controller(password: .file("/nonexistent/rspamd-password")))
        let failure = error(
            await learner.learn([65], as: .ham, locator: locator("alice@example.com", "<x@y>"), reversal: false)
        )
        #expect(failure?.kind == .configuration)
        #expect(failure?.message.contains("/nonexistent/rspamd-password") == true)
    }

    @Test("the normal worker's URL instead of the controller's is a configuration error")
    func normalWorker() async throws {
        let (message, id) = try await message("worker")
        let learner = RspamdLearner(
            controller: controller(password: .file(testbed.rspamdPasswordFile), url: testbed.rspamdScanURL)
        )
        let failure = error(
            await learner.learn(message, as: .ham, locator: locator("alice@example.com", id), reversal: false)
        )
        #expect(failure?.kind == .configuration)
        #expect(failure?.message.contains("controller") == true)
    }

    // MARK: - fuzzy

    @Test("a fuzzy add makes rspamd's scan match the spam flag")
    func fuzzyAdd() async throws {
        let learner = RspamdFuzzyLearner(controller: controller, spam: .init(flag: testbed.fuzzySpamFlag, weight: 10))
        let (message, id) = try await message("fuzzy", spam: true)
        #expect(try await testbed.fuzzySymbols(message).isEmpty)
        let outcome = await learner.learn(
            message,
            as: .spam,
            locator: locator("alice@example.com", id),
            reversal: false
        )
        #expect(outcome.outcome == .learned, "\(outcome)")
        let symbols = try await testbed.awaitFuzzy(message) { $0.contains("FUZZY_DENIED") }
        #expect(symbols.contains("FUZZY_DENIED"))
    }

    @Test("a reversal removes the spam hash before adding the ham one")
    func fuzzyReversal() async throws {
        let learner = RspamdFuzzyLearner(
            controller: controller,
            spam: .init(flag: testbed.fuzzySpamFlag, weight: 10),
            ham: .init(flag: testbed.fuzzyHamFlag, weight: 15)
        )
        let (message, id) = try await message("fuzzyrev", spam: true)
        #expect(
            await learner.learn(message, as: .spam, locator: locator("bob@example.com", id), reversal: false).outcome
                == .learned
        )
        _ = try await testbed.awaitFuzzy(message) { $0.contains("FUZZY_DENIED") }
        let outcome = await learner.learn(message, as: .ham, locator: locator("bob@example.com", id), reversal: true)
        #expect(outcome.outcome == .learned, "\(outcome)")
        #expect(outcome.reason.contains("removed"))
        let symbols = try await testbed.awaitFuzzy(message) {
            $0.contains("FUZZY_WHITE") && !$0.contains("FUZZY_DENIED")
        }
        #expect(symbols == ["FUZZY_WHITE"])
    }

    @Test("a message too short to hash is skipped")
    func fuzzyTooShort() async throws {
        let learner = RspamdFuzzyLearner(controller: controller)
        let outcome = await learner.learn(
            Array("Subject: hi\r\n\r\nhi\r\n".utf8),
            as: .spam,
            locator: locator("alice@example.com", ""),
            reversal: false
        )
        #expect(outcome.outcome == .skipped, "\(outcome)")
        #expect(outcome.reason.contains("No content to generate fuzzy"))
    }

    @Test("a flag rspamd has no rule for is a configuration error")
    func fuzzyUnknownFlag() async throws {
        let learner = RspamdFuzzyLearner(controller: controller, spam: .init(flag: 99, weight: 1))
        let (message, id) = try await message("flag99")
        let failure = error(
            await learner.learn(message, as: .spam, locator: locator("alice@example.com", id), reversal: false)
        )
        #expect(failure?.kind == .configuration)
        #expect(failure?.message.contains("flag 99") == true)
    }

    // MARK: - rspamc

    func rspamc(password: RspamdPassword? = nil) -> RspamcLearner {
        RspamcLearner(
            configuration: .init(
                connect: String(testbed.rspamdURL.dropFirst("http://".count)),
                password: password ?? .file(testbed.rspamdPasswordFile),
                timeout: .seconds(10)
            )
        )
    }

    @Test("rspamc learns, then reports already learned (it exits 0 for both)")
    func rspamcLearns() async throws {
        let user = TestbedEnvironment.unique("rspamc") + "@example.com"
        let (message, id) = try await message("rspamc")
        let first = await rspamc().learn(message, as: .spam, locator: locator(user, id), reversal: false)
        #expect(first.outcome == .learned, "\(first)")
        #expect(try await testbed.bayesLearns(user).spam == 1)
        let second = await rspamc().learn(message, as: .spam, locator: locator(user, id), reversal: false)
        #expect(second.outcome == .alreadyLearned, "\(second)")
    }

    @Test("rspamc with a wrong password file is a configuration error naming it")
    func rspamcWrongPassword() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-wrong-\(UUID().uuidString)")
        try Data("not-the-password\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (message, id) = try await message("rspamcpw")
        let learner = rspamc(password: .file(file.path))
        let failure = error(
            await learner.learn(message, as: .ham, locator: locator("alice@example.com", id), reversal: false)
        )
        #expect(failure?.kind == .configuration)
        #expect(failure?.message.contains(file.path) == true)
    }

    // MARK: - rspamd down

    @Test("with rspamd stopped, every rspamd learner fails transiently", .stopsTestbedRspamd)
    func rspamdStopped() async throws {
        let (message, id) = try await message("down")
        try await Program.check([testbed.rspamdStop])
        // Nothing between stop and start can throw: the learners return outcomes. Restart before
        // any expectation can end the test; the other rspamd tests need rspamd.
        let place = locator("alice@example.com", id)
        let outcomes: [String: LearnOutcome] = [
            "http": await RspamdLearner(controller: controller).learn(
                message,
                as: .ham,
                locator: place,
                reversal: false
            ),
            "fuzzy": await RspamdFuzzyLearner(controller: controller).learn(
                message,
                as: .spam,
                locator: place,
                reversal: false
            ),
            "rspamc": await rspamc().learn(message, as: .ham, locator: place, reversal: false),
        ]
        try await Program.check([testbed.rspamdStart])
        for (name, outcome) in outcomes {
            guard case .failed(let failure) = outcome else {
                Issue.record("\(name): expected a failure, got \(outcome)")
                continue
            }
            #expect(failure.kind == .transient, "\(name): \(failure)")
        }
        // Transient indeed: with rspamd back, the same learn goes through.
        let again = await RspamdLearner(controller: controller).learn(
            message,
            as: .ham,
            locator: locator(TestbedEnvironment.unique("back") + "@example.com", id),
            reversal: false
        )
        #expect(again.outcome == .learned, "\(again)")
    }
}
