import Foundation
import JunkwatchCore
import TestSupport
import Testing

/// What one fetch and one learn cost on the testbed: a measurement, not a test. Runs only with
/// `JUNKWATCH_MEASURE_STAGES=1` (and the testbed), prints wall-clock times, asserts nothing but
/// that the stages worked; it holds the testbed's rspamd shared, so that no suite stops it
/// meanwhile: `JUNKWATCH_MEASURE_STAGES=1 swift test --filter StageCostMeasurement`.
@Suite(
    "stage costs (measurement)",
    .serialized,
    .usesTestbedRspamd,
    .enabled(
        if: ProcessInfo.processInfo.environment["JUNKWATCH_MEASURE_STAGES"] == "1",
        "set JUNKWATCH_MEASURE_STAGES=1"
    )
)
struct StageCostMeasurement {
    let testbed: TestbedEnvironment
    let imap: TestbedIMAP

    init() throws {
        testbed = try TestbedEnvironment.current()
        imap = TestbedIMAP(testbed: testbed)
    }

    /// `count` distinct messages: one generated message with a numbered line added.
    func messages(_ count: Int, label: String) async throws -> [[UInt8]] {
        let base = Array(try await imap.message(messageID: "<\(TestbedEnvironment.unique(label))@test.invalid>"))
        return (0..<count).map { base + Array("\r\nvariant \(label) \($0) \(UUID().uuidString)\r\n".utf8) }
    }

    func report(_ what: String, _ durations: [Duration]) {
        let sorted = durations.sorted()
        let milliseconds = { (d: Duration) in
            Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3
        }
        let mean = durations.map(milliseconds).reduce(0, +) / Double(durations.count)
        let line = String(
            format: "%@: n=%d mean %.2f ms, median %.2f ms, min %.2f ms, max %.2f ms",
            what,
            durations.count,
            mean,
            milliseconds(sorted[sorted.count / 2]),
            milliseconds(sorted[0]),
            milliseconds(sorted[sorted.count - 1])
        )
        print("STAGE COST \(line)")
    }

    func measure(_ learner: some Learner, _ messages: [[UInt8]], user: String) async -> [Duration] {
        var durations: [Duration] = []
        for message in messages {
            let start = ContinuousClock.now
            let outcome = await learner.learn(
                message,
                as: .spam,
                locator: MessageLocator(user: user, mailbox: "Junk", uid: 1),
                reversal: false
            )
            durations.append(ContinuousClock.now - start)
            #expect(outcome.outcome == .learned, "\(learner.name): \(outcome)")
        }
        return durations
    }

    @Test("one learn: rspamd HTTP, rspamc, sa-learn; one doveadm fetch")
    func costs() async throws {
        let controller = RspamdController(
            configuration: .init(url: testbed.rspamdURL, password: .file(testbed.rspamdPasswordFile))
        )
        let http = RspamdLearner(controller: controller)
        _ = await measure(http, try await messages(3, label: "warmup"), user: TestbedEnvironment.unique("warm"))
        report(
            "rspamd Bayes over HTTP",
            await measure(http, try await messages(100, label: "http"), user: TestbedEnvironment.unique("http"))
        )

        let fuzzy = RspamdFuzzyLearner(controller: controller)
        report(
            "rspamd fuzzy add over HTTP",
            await measure(fuzzy, try await messages(100, label: "fuzzy"), user: "alice@example.com")
        )

        let rspamc = RspamcLearner(
            configuration: .init(
                connect: String(testbed.rspamdURL.dropFirst("http://".count)),
                password: .file(testbed.rspamdPasswordFile)
            )
        )
        report(
            "rspamc process",
            await measure(rspamc, try await messages(30, label: "rspamc"), user: TestbedEnvironment.unique("rspamc"))
        )

        let root = testbed.spamAssassinRoot + "/" + TestbedEnvironment.unique("cost")
        try FileManager.default.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
        let sa = SpamAssassinLearner(
            configuration: .init(
                database: .perUserPath(try SpamAssassinDatabasePath(root: root + "/db", template: "%d/%l/bayes")),
                home: root + "/home"
            )
        )
        report("sa-learn process", await measure(sa, try await messages(5, label: "sa"), user: "alice@example.com"))

        let user = "bob@example.com"
        let id = "<\(TestbedEnvironment.unique("fetchcost"))@test.invalid>"
        let uid = try await imap.append(try await imap.message(messageID: id, user: user), user: user, mailbox: "Junk")
        let fetcher = DoveadmFetcher(
            configuration: .init(doveadmPath: testbed.doveadm, configFile: testbed.dovecotConfig)
        )
        var durations: [Duration] = []
        for _ in 0..<50 {
            let start = ContinuousClock.now
            let result = try await fetcher.fetch(MessageLocator(user: user, mailbox: "Junk", uid: uid, messageID: id))
            durations.append(ContinuousClock.now - start)
            guard case .message = result else {
                Issue.record("fetch: \(result)")
                return
            }
        }
        report("doveadm fetch by UID", durations)

        // The slow path: the logged UID is gone, found by Message-ID.
        let moved = try await imap.transfer("move", user: user, from: "Junk", to: "INBOX", uid: uid)
        durations = []
        for _ in 0..<20 {
            let start = ContinuousClock.now
            let result = try await fetcher.fetch(MessageLocator(user: user, mailbox: "Junk", uid: uid, messageID: id))
            durations.append(ContinuousClock.now - start)
            #expect(result.description.contains("uid \(moved)"))
        }
        report("doveadm fetch after a move (miss, search, fetch)", durations)
    }
}
