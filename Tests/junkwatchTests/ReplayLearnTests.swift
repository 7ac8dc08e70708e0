import Foundation
import JunkwatchCore
import TestSupport
import Testing

/// `junkwatch replay` end to end against the testbed: users move mail over IMAP, dovecot logs it
/// to the journal, the replay fetches each message with doveadm and teaches it to the real rspamd
/// (Bayes per user, fuzzy) and SpamAssassin; the learners' own state shows what they learned.
///
/// Each test makes users of its own (odd names included) and narrows the replay to them and to
/// the time since it began: the journal and the learners are shared with every other suite and
/// testbed on the machine. The test that stops rspamd holds it exclusively (`.stopsTestbedRspamd`).
@Suite(
    "junkwatch replay learns (testbed)",
    .usesTestbedRspamd,
    .needsTestbed
)
struct ReplayLearnTests {
    let testbed: Testbed

    init() throws {
        testbed = try Testbed.current()
    }

    /// One message per user moved out of Junk (ham) and one into Junk (spam), over IMAP.
    struct Moves {
        var ham: [String: TestMessage] = [:]
        var spam: [String: TestMessage] = [:]
    }

    func moveHamAndSpam(_ users: [String], label: String) async throws -> Moves {
        var moves = Moves()
        for user in users {
            let ham = TestMessage(label: "\(label)-ham", to: user)
            let spam = TestMessage(label: "\(label)-spam", to: user, spam: true)
            let hamUID = try await testbed.stage([ham], user: user, mailbox: "Junk")
            let spamUID = try await testbed.stage([spam], user: user, mailbox: "INBOX")
            try await testbed.move(user: user, from: "Junk", to: "INBOX", uids: hamUID)
            try await testbed.move(user: user, from: "INBOX", to: "Junk", uids: spamUID)
            moves.ham[user] = ham
            moves.spam[user] = spam
        }
        return moves
    }

    // MARK: - every learner

    @Test("every learner learns each user's moves for that user only; again learns nothing; --force sends again")
    func everyLearner() async throws {
        let movers = Testbed.oddUsers()
        let quiet = Testbed.plainUser("quiet")
        let replay = try await Replayer(
            testbed: testbed,
            users: movers + [quiet],
            learners: [.bayes, .fuzzy, .spamAssassin]
        )
        defer { replay.cleanUp() }
        let moves = try await moveHamAndSpam(movers, label: "every")
        try await replay.awaitDecisions(2 * movers.count)

        let first = try await replay.run()
        #expect(first.status == 0, "\(first.error)")
        #expect(first.records.count == 2 * movers.count * 3, "\(first.records.map(\.reason))")
        for record in first.records {
            #expect(record.outcome == .learned, "\(record.user) \(record.learner ?? ""): \(record.reason)")
            let expected = record.verdict == .ham ? moves.ham[record.user] : moves.spam[record.user]
            #expect(record.msgid == expected?.messageID, "\(record.user): \(record.msgid)")
        }
        for learner in ["rspamd-bayes", "rspamd-fuzzy", "spamassassin"] {
            #expect(first.records.filter { $0.learner == learner }.count == 2 * movers.count, "\(learner)")
        }

        // Bayes: each user's own counters, one ham and one spam; the user who moved nothing, none.
        for user in movers {
            let learns = try await testbed.bayesLearns(user)
            #expect(learns.ham == 1 && learns.spam == 1, "RS\(user): \(learns)")
        }
        let quietLearns = try await testbed.bayesLearns(quiet)
        #expect(quietLearns.ham == 0 && quietLearns.spam == 0)

        // Fuzzy: the scan matches the spam mark for spam, the ham mark for ham.
        for user in movers {
            let spam = try await testbed.awaitFuzzy(moves.spam[user]!.bytes) { $0.contains("FUZZY_DENIED") }
            #expect(spam.contains("FUZZY_DENIED"), "\(user) spam: \(spam)")
            let ham = try await testbed.awaitFuzzy(moves.ham[user]!.bytes) { $0.contains("FUZZY_WHITE") }
            #expect(ham.contains("FUZZY_WHITE") && !ham.contains("FUZZY_DENIED"), "\(user) ham: \(ham)")
        }

        // SpamAssassin: each user's own database.
        let databases = try SpamAssassinDatabasePath(root: replay.spamAssassinRoot, template: "%d/%l/bayes")
        for user in movers + [quiet] {
            let counts = try await testbed.spamAssassinCounts(
                databasePath: databases.path(for: user),
                home: replay.stateDirectory
            )
            let expected = user == quiet ? (0, 0) : (1, 1)
            #expect(counts.ham == expected.0 && counts.spam == expected.1, "\(user): \(counts)")
        }

        // The ledger: the same entries again learn nothing and print nothing.
        let again = try await replay.run()
        #expect(again.status == 0, "\(again.error)")
        #expect(again.records.isEmpty, "\(again.records.map(\.reason))")
        #expect(
            again.error.contains("\(2 * movers.count) decisions were recorded in the ledger before"),
            "\(again.error)"
        )

        // --force sends everything again. rspamd's Bayes and sa-learn answer that they knew it
        // already; the fuzzy storage takes it again. (rspamd 3.4's learn cache misses messages
        // under load, two of six here once, and learns them once more: the counters then show
        // exactly those, so every Bayes record is rspamd's own answer.)
        var before = 0
        for user in movers {
            let learns = try await testbed.bayesLearns(user)
            before += learns.ham + learns.spam
        }
        let forced = try await replay.run(["--force"])
        #expect(forced.status == 0, "\(forced.error)")
        #expect(forced.records.count == 2 * movers.count * 3)
        let bayes = forced.records.filter { $0.learner == "rspamd-bayes" }
        for record in bayes where record.outcome != .learned {
            #expect(record.outcome == .alreadyLearned, "\(record.reason)")
            #expect(
                record.reason.contains("has been already learned as \(record.verdict.rawValue)"),
                "\(record.reason)"
            )
        }
        #expect(forced.records(.alreadyLearned, learner: "spamassassin").count == 2 * movers.count)
        #expect(forced.records(.learned, learner: "rspamd-fuzzy").count == 2 * movers.count)
        var after = 0
        for user in movers {
            let learns = try await testbed.bayesLearns(user)
            after += learns.ham + learns.spam
        }
        #expect(after - before == forced.records(.learned, learner: "rspamd-bayes").count)
    }

    @Test("with client = rspamc, rspamc learns each user's moves into that user's Bayes")
    func rspamcClient() async throws {
        let users = [Testbed.oddUsers()[2], Testbed.plainUser("rspamc")]
        let replay = try await Replayer(testbed: testbed, users: users, rspamd: ["client = \"rspamc\""])
        defer { replay.cleanUp() }
        let moves = try await moveHamAndSpam(users, label: "rspamc")
        try await replay.awaitDecisions(2 * users.count)

        let run = try await replay.run()
        #expect(run.status == 0, "\(run.error)")
        #expect(run.records.count == 2 * users.count)
        for record in run.records {
            #expect(record.learner == "rspamc")
            #expect(record.outcome == .learned, "\(record.user): \(record.reason)")
            let expected = record.verdict == .ham ? moves.ham[record.user] : moves.spam[record.user]
            #expect(record.msgid == expected?.messageID)
        }
        for user in users {
            let learns = try await testbed.bayesLearns(user)
            #expect(learns.ham == 1 && learns.spam == 1, "RS\(user): \(learns)")
        }
    }

    // MARK: - failures

    @Test(
        "rspamd stopped mid-run: what it learned is recorded, the rest fails as transient, exit 1; the next replay learns the rest",
        .stopsTestbedRspamd
    )
    func rspamdStoppedMidRun() async throws {
        let user = Testbed.plainUser("down")
        let count = 120
        let replay = try await Replayer(testbed: testbed, users: [user])
        defer { replay.cleanUp() }
        let messages = (0..<count).map { TestMessage(label: "down\($0)", to: user, spam: true) }
        let uids = try await testbed.stage(messages, user: user, mailbox: "INBOX")
        try await testbed.move(user: user, from: "INBOX", to: "Junk", uids: uids)
        try await replay.awaitDecisions(count)

        let started = ContinuousClock.now
        let running = Task { try await replay.run() }
        // Stop rspamd once it has learned a few: the replay is then in the middle of its work.
        let deadline = ContinuousClock.now + .seconds(30)
        while try await testbed.bayesLearns(user).spam < 5, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let stopped: Result<Void, any Error>
        do {
            try await testbed.stopRspamd()
            stopped = .success(())
        } catch {
            stopped = .failure(error)
        }
        let interrupted = await running.result
        let took = ContinuousClock.now - started
        try await testbed.startRspamd()
        try stopped.get()
        let run = try interrupted.get()

        let learned = run.records(.learned)
        let failed = run.records(.failed)
        #expect(run.status == 1, "\(run.error)")
        #expect(learned.count >= 5 && failed.count >= 1, "learned \(learned.count), failed \(failed.count)")
        #expect(learned.count + failed.count == count, "\(run.records.count) records")
        for record in failed {
            #expect(record.reason.contains("transient error"), "\(record.reason)")
        }
        #expect(run.error.contains("attempt 1 of 3, retrying"), "\(run.error)")
        #expect(run.error.contains("attempt 2 of 3, retrying"), "\(run.error)")
        // One message uses its 3 attempts (1 s and 2 s apart); the ones after it get one each,
        // not 3 s apiece (which would be minutes here).
        #expect(took < .seconds(60), "the interrupted replay took \(took)")
        #expect(failed.filter { $0.reason.contains("tried once") }.count == failed.count - 1)
        // Nothing is recorded as learned that rspamd did not learn. (It may have learned one
        // whose answer was lost as it went down: that one is failed here, already learned next.)
        let afterStop = try await testbed.bayesLearns(user).spam
        #expect(afterStop >= learned.count && afterStop <= learned.count + 1, "rspamd has \(afterStop)")

        let rest = try await replay.run()
        #expect(rest.status == 0, "\(rest.error)")
        #expect(rest.records.count == failed.count)
        #expect(Set(rest.records.map(\.msgid)) == Set(failed.map(\.msgid)))
        #expect(rest.records(.learned).count + rest.records(.alreadyLearned).count == failed.count)
        #expect(try await testbed.bayesLearns(user).spam == count)
    }

    @Test("a wrong rspamd password stops the replay with an error naming the password file, exit 1")
    func wrongPassword() async throws {
        let user = Testbed.plainUser("wrongpw")
        let passwordFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            Testbed.unique("wrong-password")
        )
        try Data("not-the-password\n".utf8).write(to: passwordFile)
        defer { try? FileManager.default.removeItem(at: passwordFile) }
        let replay = try await Replayer(testbed: testbed, users: [user], passwordFile: passwordFile.path)
        defer { replay.cleanUp() }
        let messages = (0..<3).map { TestMessage(label: "wrongpw\($0)", to: user, spam: true) }
        try await testbed.move(
            user: user,
            from: "INBOX",
            to: "Junk",
            uids: try await testbed.stage(messages, user: user, mailbox: "INBOX")
        )
        try await replay.awaitDecisions(messages.count)

        let run = try await replay.run()
        #expect(run.status == 1)
        #expect(run.error.contains("replay stopped"), "\(run.error)")
        #expect(run.error.contains(passwordFile.path), "\(run.error)")
        // One user's messages go in order: the first fails, and the replay stops there.
        #expect(run.records.count == 1)
        #expect(run.records.first?.outcome == .failed)
        #expect(run.records.first?.reason.contains("configuration error") == true, "\(run.records.first?.reason ?? "")")
        let learns = try await testbed.bayesLearns(user)
        #expect(learns.ham == 0 && learns.spam == 0)
    }

    @Test("a message moved on before the fetch is found by its Message-ID; one deleted since is gone")
    func movedOnAndGone() async throws {
        let user = Testbed.oddUsers()[1]
        let replay = try await Replayer(testbed: testbed, users: [user])
        defer { replay.cleanUp() }
        let movedOn = TestMessage(label: "movedon", to: user)
        let deleted = TestMessage(label: "deleted", to: user)
        let staged = try await testbed.stage([movedOn, deleted], user: user, mailbox: "Junk")
        let inInbox = try await testbed.move(user: user, from: "Junk", to: "INBOX", uids: staged)
        // Then the user files one away (no decision: neither junk nor trash) and deletes the other.
        let filed = try await testbed.move(user: user, from: "INBOX", to: "Müll", uids: [inInbox[0]])
        try await testbed.expunge(user: user, mailbox: "INBOX", uid: inInbox[1])
        try await replay.awaitDecisions(2)

        let run = try await replay.run()
        #expect(run.status == 0, "\(run.error)")
        let found = try #require(run.records.first { $0.msgid == movedOn.messageID })
        #expect(found.outcome == .learned, "\(found.reason)")
        #expect(found.reason.contains("found in \"Müll\" uid \(filed[0]) by its Message-ID"), "\(found.reason)")
        let gone = try #require(run.records.first { $0.msgid == deleted.messageID })
        #expect(gone.outcome == .gone, "\(gone.reason)")
        #expect(gone.reason.contains("no mailbox of the user holds a message with Message-ID \(deleted.messageID)"))
        let learns = try await testbed.bayesLearns(user)
        #expect(learns.ham == 1 && learns.spam == 0)
    }

    @Test("a 30 MB message is skipped as too large with the default limit, and never fetched")
    func tooLarge() async throws {
        let user = Testbed.plainUser("large")
        let replay = try await Replayer(testbed: testbed, users: [user])
        defer { replay.cleanUp() }
        let large = TestMessage(label: "large", to: user, size: 30_000_000, spam: true)
        try await testbed.move(
            user: user,
            from: "INBOX",
            to: "Junk",
            uids: try await testbed.stage([large], user: user, mailbox: "INBOX")
        )
        try await replay.awaitDecisions(1)

        let run = try await replay.run()
        #expect(run.status == 0, "\(run.error)")
        #expect(run.records.count == 1)
        let record = try #require(run.records.first)
        #expect(record.outcome == .skipped)
        #expect(record.reason.contains("too large"), "\(record.reason)")
        #expect(record.size ?? 0 >= 30_000_000)
        let learns = try await testbed.bayesLearns(user)
        #expect(learns.ham == 0 && learns.spam == 0)
    }

    @Test("a user dovecot no longer knows fails for good; the replay goes on with the other users")
    func unknownUser() async throws {
        let removed = Testbed.plainUser("removed")
        let kept = Testbed.plainUser("kept")
        let replay = try await Replayer(testbed: testbed, users: [removed, kept])
        defer { replay.cleanUp() }
        var messages: [String: TestMessage] = [:]
        for user in [removed, kept] {
            let message = TestMessage(label: "unknown", to: user, spam: true)
            messages[user] = message
            try await testbed.move(
                user: user,
                from: "INBOX",
                to: "Junk",
                uids: try await testbed.stage([message], user: user, mailbox: "INBOX")
            )
        }
        try await replay.awaitDecisions(2)
        try await testbed.removeUser(removed)

        let run = try await replay.run()
        #expect(run.status == 1, "\(run.error)")
        let failed = try #require(run.records.first { $0.user == removed })
        #expect(failed.outcome == .failed)
        #expect(failed.reason.contains("permanent error: dovecot has no user"), "\(failed.reason)")
        let learned = try #require(run.records.first { $0.user == kept })
        #expect(learned.outcome == .learned, "\(learned.reason)")
        #expect(try await testbed.bayesLearns(kept).spam == 1)
        #expect(!run.error.contains("retrying"), "a permanent error is not retried: \(run.error)")
    }
}
