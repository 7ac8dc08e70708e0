import Foundation
import JunkwatchCore
import Synchronization
import SystemdJournal
import TestSupport

/// One service test's world: its own directory (configuration, filter, state, log), its own
/// sd_notify socket, the `junkwatch run` processes it started, and a tag that marks its mail.
///
/// Isolation. The testbed's journal is the machine's journal: it holds every testbed's dovecot
/// lines (all of them run in the cgroup `system.slice/dovecot.service`), and the other tests of
/// this package move mail on the same dovecot at the same time. The scene's users are its own
/// (added to dovecot), and so are their Bayes counters in Redis. And the scene's filter is
/// the shipped `dovecot-mail-log` filter with one change: every rule's prefilter, the literal a
/// line must contain before its pattern is tried, is the scene's tag, which is in the Message-ID
/// of every message the scene moves. Its junkwatch then acts on the scene's moves and on nothing
/// else, while reading the real journal through the real match and patterns; and the records
/// the scene checks are those written by its own processes (`_PID`), naming its messages.
final class ServiceScene: Sendable {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let testbed: Testbed
    /// The scene's own users, added to dovecot for it.
    let users: [String]
    /// In every Message-ID of the scene's mail, and in nothing else.
    let tag: String
    let directory: String
    let notify: NotifySocket
    /// A little before the scene began, in microseconds since the epoch: where its journal reads
    /// start, and `--from` for a junkwatch without a saved cursor.
    let began: UInt64
    private let started = Mutex<[ServiceProcess]>([])

    var configurationPath: String { directory + "/junkwatch.toml" }
    var stateDirectory: String { directory + "/state" }
    var ledgerPath: String { stateDirectory + "/" + Ledger.fileName }
    var logPath: String { directory + "/junkwatch.log" }

    /// Runs `body` with a new scene, then ends its processes and removes its directory, however
    /// `body` ended (the directory stays when `JUNKWATCH_KEEP_SERVICE_TEST` is set).
    static func with(
        _ label: String,
        users: Int = 1,
        units: [String] = [],
        _ body: (ServiceScene) async throws -> Void
    ) async throws {
        let testbed = try Testbed.current()
        let names = try await testbed.newUsers(users, label: label)
        let scene = try ServiceScene(label, testbed: testbed, users: names, units: units)
        let keep = ProcessInfo.processInfo.environment["JUNKWATCH_KEEP_SERVICE_TEST"] != nil
        do {
            try await body(scene)
        } catch {
            await scene.cleanUp(keep: keep)
            throw error
        }
        await scene.cleanUp(keep: keep)
    }

    /// Makes the directory and the filter; `units` are watched besides dovecot's (the filter's
    /// match gets a group for each).
    init(_ label: String, testbed: Testbed, users: [String], units: [String] = []) throws {
        self.testbed = testbed
        self.users = users
        tag = "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        directory = "/tmp/jw-service-\(tag)"
        began = TimeSpecification.currentMicroseconds() - 2_000_000
        try FileManager.default.createDirectory(atPath: directory + "/filters", withIntermediateDirectories: true)
        var filter = try String(
            contentsOf: Self.repository.appendingPathComponent("Filters/dovecot-mail-log.toml"),
            encoding: .utf8
        )
        var lines = filter.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices {
            if lines[index].hasPrefix("prefilter = ") { lines[index] = "prefilter = \"\(tag)\"" }
            if lines[index].hasPrefix("match = "), !units.isEmpty {
                let extra = units.map { ", [\"_SYSTEMD_UNIT=\($0)\"]" }.joined()
                lines[index] = "match = [[\"_SYSTEMD_UNIT=dovecot.service\"], [\"SYSLOG_IDENTIFIER=dovecot\"]\(extra)]"
            }
        }
        filter = lines.joined(separator: "\n")
        try Data(filter.utf8).write(to: URL(fileURLWithPath: directory + "/filters/dovecot-mail-log.toml"))
        notify = try NotifySocket()
    }

    /// The Message-ID of the scene's message `name`.
    func messageID(_ name: String) -> String { "<\(name).\(tag)@test.invalid>" }

    /// Messages for `user`, `count` of them, named `prefix` and a number. Their words depend on
    /// the tag and the name too: rspamd takes a message with the same words as one it learned
    /// before (in this test, or in any earlier run against the testbed) for that one.
    func mail(_ prefix: String, count: Int, user: String, seed: UInt64) -> [TestMail] {
        var base: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a of the tag, the name and the user
        for byte in (tag + "/" + prefix + "/" + user).utf8 { base = (base ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return (0..<count).map { index in
            TestMail(messageID: messageID("\(prefix)\(index)"), user: user, seed: base ^ (seed &* 1_000_003 &+ UInt64(index)))
        }
    }

    /// Writes the configuration: the testbed's dovecot and rspamd (or `rspamdURL`), the scene's
    /// filter and state, and retries at most 2 s apart (so that a recovery shows within seconds);
    /// `rspamd` and `pipeline` are added to their sections, `extra` at the end.
    func writeConfiguration(
        rspamdURL: String? = nil,
        rspamd: String = "",
        pipeline: String = "",
        extra: String = ""
    ) throws {
        let text = """
            [filters]
            paths = ["\(directory)/filters"]
            [doveadm]
            config_file = "\(testbed.dovecotConfig)"
            [rspamd]
            url = "\(rspamdURL ?? testbed.rspamdURL)"
            password_file = "\(testbed.rspamdPasswordFile)"
            \(rspamd)
            [pipeline]
            retry_initial = 1
            retry_max = 2
            \(pipeline)
            [state]
            directory = "\(stateDirectory)"
            \(extra)

            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: configurationPath))
    }

    /// Starts `junkwatch run` with the scene's configuration, starting at the scene's beginning
    /// when no cursor is saved; waits for READY=1 unless told not to.
    /// - Parameter watchdog: the `WATCHDOG_USEC` systemd would give it.
    @discardableResult
    func start(_ arguments: [String] = [], watchdog: Duration? = nil, waitForReady: Bool = true) async throws
        -> ServiceProcess
    {
        let mark = notify.count
        var environment: [String: String?] = [
            "NOTIFY_SOCKET": notify.path,
            // Not systemd's: log to standard error (the log file), whatever this process has.
            "JOURNAL_STREAM": nil, "INVOCATION_ID": nil, "WATCHDOG_USEC": nil, "WATCHDOG_PID": nil,
        ]
        if let watchdog {
            let (seconds, attoseconds) = watchdog.components
            environment["WATCHDOG_USEC"] = String(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        }
        let process = try await ServiceProcess.start(
            ["run", "--config", configurationPath, "--from", "@\(began / 1_000_000)"] + arguments,
            environment: environment,
            log: logPath
        )
        started.withLock { $0.append(process) }
        if waitForReady {
            let ready = await notify.first(after: mark, within: .seconds(60)) { $0.has("READY=1") }
            guard ready != nil else {
                throw ServiceProcessError(description: "junkwatch did not send READY=1 within 60 s; log:\n\(log)")
            }
        }
        return process
    }

    /// Every process the scene started.
    var processes: [ServiceProcess] { started.withLock { $0 } }

    /// What the processes wrote to standard error.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The ledger's rows for the scene's messages.
    func ledgerRows() throws -> [DecisionRecord] {
        guard FileManager.default.fileExists(atPath: ledgerPath) else { return [] }
        return try Ledger(path: ledgerPath).entries(user: nil).map(\.record).filter { $0.msgid.contains(tag) }
    }

    /// What the scene's processes wrote to the journal since the scene began.
    func journal() throws -> ServiceJournal {
        try ServiceJournal(pids: processes.map(\.pid), since: began, tag: tag)
    }

    /// Waits until `condition` holds, checking every 100 ms, up to `timeout`; returns whether it
    /// came true.
    func wait(for timeout: Duration, _ condition: () throws -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if try condition() { return true }
            if clock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Ends every process still running and removes the directory (kept when `keep`, for a
    /// failed test to be looked at).
    func cleanUp(keep: Bool = false) async {
        for process in processes { await process.killAndWait() }
        notify.close()
        if !keep { try? FileManager.default.removeItem(atPath: directory) }
    }
}

/// Records and notices that a scene's `junkwatch run` processes wrote to the journal.
struct ServiceJournal {
    struct Item {
        var entry: JournalEntry
        var record: DecisionRecord?
        var notice: JournalNotice?
    }

    var items: [Item] = []

    /// Reads the local journal: entries with `SYSLOG_IDENTIFIER=junkwatch` from one of `pids`
    /// since `since`; records only for messages whose Message-ID holds `tag`.
    init(pids: [pid_t], since: UInt64, tag: String) throws {
        guard !pids.isEmpty else { return }
        let reader = try JournalReader(.local)
        try reader.apply(JournalMatch([["SYSLOG_IDENTIFIER=junkwatch"] + pids.map { "_PID=\($0)" }]))
        try reader.seek(realtime: since)
        while try reader.next() {
            let entry = try reader.entry()
            if let record = DecisionRecord(journalEntry: entry) {
                if record.msgid.contains(tag) { items.append(Item(entry: entry, record: record)) }
            } else if let notice = JournalNotice(journalEntry: entry) {
                items.append(Item(entry: entry, notice: notice))
            }
        }
    }

    var records: [DecisionRecord] { items.compactMap(\.record) }
    var notices: [JournalNotice] { items.compactMap(\.notice) }
}
