import Foundation
import JunkwatchCore
import Synchronization
import SystemdJournal
import TestSupport
import Testing

/// `junkwatch run` end to end, as a real process against the testbed: users move mail over IMAP,
/// dovecot logs to the machine's journal, junkwatch follows it, fetches with doveadm, teaches
/// rspamd, stores to its ledger and writes records to the journal; the tests kill it, stop it,
/// reload it, take rspamd away, rotate its journal under it and flood journald.
///
/// Which journal. junkwatch follows the machine's journal, as it does in production, with the
/// scene's filter (``ServiceScene``): the shipped dovecot filter whose prefilters only let through
/// lines with the scene's tag, which is in the Message-ID of every message the scene moves. So
/// other testbeds' dovecots (same unit, same journal) and the other tests on this testbed (same
/// five users) cannot reach it, and no extra process has to copy dovecot's lines anywhere.
/// Records and notices are read by the `_PID`s of the scene's own processes. Two tests need
/// more: the rotation test gives junkwatch a journal directory of its own, written with
/// systemd-journal-remote, because rotating or vacuuming the machine's journal would pull it from
/// under everybody; the flood test floods a unit of its own (see its comment).
/// rspamd is taken "down" behind a proxy (``RspamdProxy``), not stopped, for the same reason;
/// and the suite holds the testbed's rspamd shared (`.usesTestbedRspamd`), so that the rspamd
/// learner test that does stop it waits for each of these tests to end.
///
/// Each scene has users of its own, added to dovecot (``Testbed/newUsers(_:label:)``): their Bayes
/// counters in Redis move only with the scene's moves, exactly. Serialized: several junkwatch
/// processes at once load the machine, and the flood would skew the others' timings.
/// `JUNKWATCH_TEST_SEED` repeats a run's random choices; `JUNKWATCH_KEEP_SERVICE_TEST` keeps
/// each scene's directory (configuration, ledger, junkwatch's log) in /tmp.
@Suite(
    "junkwatch run as a service",
    .serialized,
    .usesTestbedRspamd,
    .needsTestbed
)
struct ServiceTests {
    /// A seed for the random parts, from `JUNKWATCH_TEST_SEED` to rerun a failure, else new.
    static func seed() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["JUNKWATCH_TEST_SEED"], let seed = UInt64(text) {
            return seed
        }
        return UInt64.random(in: 1...UInt64.max)
    }

    /// Whether a ledger row or record is a learner's final answer that is not a failure: learned,
    /// or already learned (rspamd had it from a process killed before it stored the row).
    static func finished(_ record: DecisionRecord) -> Bool {
        record.outcome == .learned || record.outcome == .alreadyLearned
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.3f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    // MARK: - 1. Live

    @Test("moves over IMAP are learned within a couple of seconds: records in the journal, counters in Redis")
    func live() async throws {
        try await ServiceScene.with("live") { scene in
            let testbed = scene.testbed
            let user = scene.users[0]
            let spam = scene.mail("s", count: 4, user: user, seed: 1)
            let ham = scene.mail("h", count: 4, user: user, seed: 2)
            let inInbox = try await testbed.put(spam, user: user, mailbox: "INBOX")
            let inJunk = try await testbed.put(ham, user: user, mailbox: "Junk")
            try scene.writeConfiguration()
            try await scene.start()
            let before = try await testbed.bayesLearns(user)

            var waits: [Duration] = []
            var expected: [String: (verdict: Verdict.Kind, mailbox: String, uid: UInt32)] = [:]
            for index in 0..<4 {
                for (message, verdict) in [(spam[index], Verdict.Kind.spam), (ham[index], .ham)] {
                    let (from, to) = verdict == .spam ? ("INBOX", "Junk") : ("Junk", "INBOX")
                    let uid = (verdict == .spam ? inInbox : inJunk)[message.messageID]!
                    let moved = try await testbed.move(user: user, from: from, to: to, uids: [uid])
                    expected[message.messageID] = (verdict, to, moved.first ?? 0)
                    let clock = ContinuousClock()
                    let start = clock.now
                    let seen = try await scene.wait(for: .seconds(10)) {
                        try scene.journal().records.contains { $0.msgid == message.messageID }
                    }
                    #expect(seen, "no record for \(message.messageID) within 10 s")
                    waits.append(clock.now - start)
                }
            }
            let journal = try scene.journal()
            #expect(journal.records.count == 8)
            for item in journal.items {
                guard let record = item.record, let want = expected[record.msgid] else { continue }
                #expect(record.user == user)
                #expect(record.verdict == want.verdict)
                #expect(record.mailbox == want.mailbox)
                #expect(record.uid == want.uid)
                #expect((record.size ?? 0) > 1500)
                #expect(record.learner == "rspamd-bayes")
                #expect(record.outcome == .learned, "\(record.reason)")
                #expect(record.sourceCursor?.hasPrefix("s=") == true)
                #expect(record.sourceRealtime.map { $0 >= scene.began } == true)
                #expect(record.latency.map { $0 >= 0 && $0 < 5 } == true)
                #expect(record.filter == "dovecot-mail-log")
                #expect(record.rule == "copy")
                let entry = item.entry
                #expect(entry.text("SYSLOG_IDENTIFIER") == "junkwatch")
                #expect(entry.text("MESSAGE_ID") == JournalMessageID.learned.rawValue)
                #expect(entry.text("PRIORITY") == "6")
                #expect(entry.text("JUNKWATCH_USER") == user)
                #expect(entry.text("JUNKWATCH_OUTCOME") == "learned")
                #expect(entry.text("MESSAGE")?.hasPrefix("\(user): \(want.verdict.rawValue), \(want.mailbox) uid") == true)
            }
            let rows = try scene.ledgerRows()
            #expect(rows.count == 8 && rows.allSatisfy { $0.outcome == .learned })
            let after = try await testbed.bayesLearns(user)
            #expect(after.spam - before.spam == 4, "learns_spam of RS\(user)")
            #expect(after.ham - before.ham == 4, "learns_ham of RS\(user)")

            // "Within a couple of seconds": from the IMAP MOVE's answer to the record in the journal.
            let sorted = waits.sorted()
            let latencies = journal.records.compactMap(\.latency).sorted()
            print(
                "service latency: move answered -> record in the journal: median \(Self.seconds(sorted[sorted.count / 2])), "
                    + "max \(Self.seconds(sorted.last!)); JUNKWATCH_LATENCY (log line -> record): median "
                    + "\(latencies[latencies.count / 2]) s, max \(latencies.last!) s"
            )
            #expect(sorted.last! < .seconds(3))
            // No watchdog asked for (no WATCHDOG_USEC): none sent.
            #expect(!scene.notify.messages.contains { $0.has("WATCHDOG=1") })
        }
    }

    // MARK: - 2. kill -9

    /// One user action: a message moved into or out of Junk.
    struct Action: Sendable {
        var user: String
        var messageID: String
        var verdict: Verdict.Kind
        var uid: UInt32
        var from: String { verdict == .spam ? "INBOX" : "Junk" }
        var to: String { verdict == .spam ? "Junk" : "INBOX" }
    }

    /// Puts `spam` messages into INBOX and `ham` into Junk for `user`: the actions of moving them.
    static func actions(_ scene: ServiceScene, user: String, name: String, spam: Int, ham: Int) async throws -> [Action] {
        var actions: [Action] = []
        for (verdict, count) in [(Verdict.Kind.spam, spam), (.ham, ham)] where count > 0 {
            let mail = scene.mail("\(name)\(verdict.rawValue)", count: count, user: user, seed: UInt64(count))
            let uids = try await scene.testbed.put(mail, user: user, mailbox: verdict == .spam ? "INBOX" : "Junk")
            actions += mail.map { Action(user: user, messageID: $0.messageID, verdict: verdict, uid: uids[$0.messageID]!) }
        }
        return actions
    }

    /// Moves `actions` (all of one user) in UID MOVEs of 1 to `largest` messages.
    static func perform(_ actions: [Action], in scene: ServiceScene, batches largest: Int, using random: inout SeededGenerator)
        async throws
    {
        var batches: [[Action]] = []
        for verdict in [Verdict.Kind.spam, .ham] {
            var rest = actions.filter { $0.verdict == verdict }.shuffled(using: &random)
            while !rest.isEmpty {
                let size = min(rest.count, Int.random(in: 1...largest, using: &random))
                batches.append(Array(rest.prefix(size)))
                rest.removeFirst(size)
            }
        }
        batches.shuffle(using: &random)
        for batch in batches {
            let first = batch[0]
            try await scene.testbed.move(user: first.user, from: first.from, to: first.to, uids: batch.map(\.uid).sorted())
        }
    }

    /// A flag several tasks read.
    final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    @Test("kill -9 at random moments while users make 500 moves: ledger, journal and Redis agree, each action once")
    func killNine() async throws {
        let seed = Self.seed()
        print("kill -9 test: seed \(seed) (JUNKWATCH_TEST_SEED=\(seed) repeats the same moves and kill delays)")
        try await ServiceScene.with("kill", users: 4) { scene in
            try await Self.killNine(scene, seed: seed)
        }
    }

    /// The body of ``killNine()``: a method rather than a closure, which the Swift 6.3.1 compiler's
    /// region analysis crashed on.
    static func killNine(_ scene: ServiceScene, seed: UInt64) async throws {
        let testbed = scene.testbed
        let users = scene.users
        var byUser: [String: [Action]] = [:]
        for (index, user) in users.enumerated() {
            byUser[user] = try await Self.actions(scene, user: user, name: "k\(index)", spam: 75, ham: 50)
        }
        let all = byUser.values.flatMap { $0 }
        #expect(all.count == 500)
        try scene.writeConfiguration()
        var before: [String: (ham: Int, spam: Int)] = [:]
        for user in users { before[user] = try await testbed.bayesLearns(user) }

        let clock = ContinuousClock()
        let began = clock.now
        let movesDone = Flag()
        // The killer: kill -9 after a random delay from each start (some before READY, some in
        // the middle of learning), then start again; at least 12 times, and until the moves end.
        let killer = Task {
            var random = SeededGenerator(seed: seed ^ 0x6b69_6c6c)
            var mark = scene.notify.count
            var current = try await scene.start(waitForReady: false)
            var kills = 0
            while !(movesDone.isSet && kills >= 12) {
                try await Task.sleep(for: .milliseconds(Int.random(in: 200...1200, using: &random)))
                current.send(SIGKILL)
                guard await current.exitStatus(within: .seconds(10)) == 128 + SIGKILL else {
                    throw ServiceProcessError(description: "junkwatch \(current.pid) did not die of SIGKILL")
                }
                kills += 1
                mark = scene.notify.count
                current = try await scene.start(waitForReady: false)
            }
            return (kills, current, mark)
        }
        let plans = users.enumerated().map { (index: $0.offset, actions: byUser[$0.element]!) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, actions) in plans {
                group.addTask {
                    var random = SeededGenerator(seed: seed &+ UInt64(index))
                    try await Self.perform(actions, in: scene, batches: 8, using: &random)
                }
            }
            try await group.waitForAll()
        }
        let moved = clock.now - began
        movesDone.set()
        let (kills, last, lastStart) = try await killer.value
        // Before READY=1 SIGTERM has its default action; the last one is for a service that runs.
        #expect(await scene.notify.first(after: lastStart, within: .seconds(60)) { $0.has("READY=1") } != nil)
        let complete = try await scene.wait(for: .seconds(120)) {
            try scene.ledgerRows().count >= all.count
        }
        #expect(complete, "\((try? scene.ledgerRows().count) ?? 0) of \(all.count) actions in the ledger after 120 s")
        last.send(SIGTERM)
        let status = await last.exitStatus(within: .seconds(20))
        #expect(status == 0, "exit status after SIGTERM: \(status.map(String.init) ?? "none after 20 s")")

        // The ledger: one row per action, the right verdict, learned (or already learned when
        // rspamd had it from a process killed before it could store it).
        let rows = try scene.ledgerRows()
        let rowsByMessage = Dictionary(grouping: rows, by: \.msgid)
        var outcomes: [DecisionRecord.Outcome: Int] = [:]
        for action in all {
            let found = rowsByMessage[action.messageID] ?? []
            #expect(found.count == 1, "\(action.messageID): \(found.count) rows in the ledger")
            guard let row = found.first else { continue }
            #expect(row.user == action.user && row.verdict == action.verdict && row.learner == "rspamd-bayes")
            #expect(Self.finished(row), "\(action.messageID): \(row.reason)")
            outcomes[row.outcome ?? .failed, default: 0] += 1
        }
        #expect(rows.count == all.count)

        // The journal: exactly one record per action, each the same as the ledger's row. A kill
        // between the commit and the journal leaves a row unreported: the next start writes it.
        let records = try scene.journal().records
        let recordsByMessage = Dictionary(grouping: records, by: \.msgid)
        for (messageID, found) in recordsByMessage {
            #expect(found.count == 1, "\(messageID): \(found.count) records in the journal")
            #expect(found.first?.outcome == rowsByMessage[messageID]?.first?.outcome, "\(messageID)")
        }
        let missing = all.count - recordsByMessage.count
        #expect(missing == 0, "\(missing) records missing from the journal after \(kills) kills")

        // Redis: the counters moved once per action, whether the process that sent it stored
        // "learned" or was killed first and its successor heard "already learned".
        for user in users {
            let after = try await testbed.bayesLearns(user)
            let mine = byUser[user]!
            #expect(after.spam - before[user]!.spam == mine.filter { $0.verdict == .spam }.count, "learns_spam of RS\(user)")
            #expect(after.ham - before[user]!.ham == mine.filter { $0.verdict == .ham }.count, "learns_ham of RS\(user)")
        }
        print(
            "kill -9 test: \(all.count) moves by \(users.count) users in \(Self.seconds(moved)), \(kills) kills, "
                + "\(scene.processes.count) processes, all learned after \(Self.seconds(clock.now - began)); "
                + "\(outcomes[.learned, default: 0]) learned, \(outcomes[.alreadyLearned, default: 0]) already learned "
                + "(relearned after a kill), \(missing) journal records missing"
        )
    }

    // MARK: - 3. rspamd down

    @Test("rspamd down: learns wait and retry, a notice and STATUS say so, the watchdog still pings; nothing lost")
    func rspamdDown() async throws {
        try await ServiceScene.with("down") { scene in
            let testbed = scene.testbed
            let user = scene.users[0]
            let proxy = try RspamdProxy(upstream: testbed.rspamdURL)
            defer { proxy.close() }
            let actions = try await Self.actions(scene, user: user, name: "d", spam: 36, ham: 0)
            let first = Array(actions[0..<2])
            let during = Array(actions[2..<24])
            let atStop = Array(actions[24..<36])
            // A queue smaller than the moves made while rspamd is down: reading the journal waits.
            try scene.writeConfiguration(rspamdURL: proxy.url, pipeline: "queue = 8")
            let before = try await testbed.bayesLearns(user)
            let process = try await scene.start(watchdog: .seconds(4))
            #expect(await scene.notify.first(within: .seconds(5)) { $0.has("WATCHDOG=1") } != nil, "no WATCHDOG=1")
            func learned(_ actions: [Action]) throws -> Bool {
                let rows = Set(try scene.ledgerRows().filter(Self.finished).map(\.msgid))
                return actions.allSatisfy { rows.contains($0.messageID) }
            }
            func move(_ actions: [Action]) async throws {
                for start in stride(from: 0, to: actions.count, by: 4) {
                    let batch = actions[start..<min(start + 4, actions.count)]
                    try await testbed.move(user: user, from: "INBOX", to: "Junk", uids: batch.map(\.uid).sorted())
                }
            }
            try await move(first)
            #expect(try await scene.wait(for: .seconds(10)) { try learned(first) })

            // Down for a while, moves made meanwhile.
            let downtime = Duration.seconds(60)
            let clock = ContinuousClock()
            proxy.down()
            let wentDown = clock.now
            let mark = scene.notify.count
            try await move(during)
            let waiting = await scene.notify.first(after: mark, within: .seconds(15)) {
                $0.status?.contains("waiting for rspamd-bayes") == true
            }
            #expect(waiting != nil, "no STATUS= saying what junkwatch waits for")
            print("rspamd down: STATUS=\(waiting?.status ?? "-")")
            try await Task.sleep(until: wentDown + downtime)
            let notices = try scene.journal().notices.filter {
                if case .transientFailure(let learner, _, _, let who) = $0 { return learner == "rspamd-bayes" && who == user }
                return false
            }
            #expect(!notices.isEmpty, "no transient-failure notice in the journal")
            #expect(try scene.ledgerRows().count == first.count, "something was stored as done while rspamd was down")
            // The follower waits for room in the full queue all this time: still WATCHDOG=1.
            let lateWatchdog = scene.notify.messages.dropFirst(mark).contains {
                $0.has("WATCHDOG=1") && $0.time > wentDown + downtime - .seconds(5)
            }
            #expect(lateWatchdog, "no WATCHDOG=1 in the last 5 s of the downtime")

            // Back: everything learned, soon, by the same process.
            try proxy.up()
            let cameBack = clock.now
            #expect(try await scene.wait(for: .seconds(20)) { try learned(during) }, "not everything learned after rspamd came back")
            print("rspamd down for \(Self.seconds(cameBack - wentDown)): \(during.count) moves learned \(Self.seconds(clock.now - cameBack)) after it came back; \(notices.count) notices")
            let calm = await scene.notify.first(after: scene.notify.count, within: .seconds(8)) { $0.status != nil }
            #expect(calm?.status?.contains("waiting") == false, "\(calm?.status ?? "no STATUS")")

            // Down again with the queue full, then SIGTERM: junkwatch must not hang waiting for
            // room; nothing of what waited is stored; the next start learns it.
            proxy.down()
            try await move(atStop)
            try await Task.sleep(for: .seconds(3))
            let stopMark = scene.notify.count
            let stopAt = clock.now
            process.send(SIGTERM)
            let status = await process.exitStatus(within: .seconds(15))
            #expect(status == 0, "SIGTERM with rspamd down and the queue full: exit status \(status.map(String.init) ?? "none after 15 s")")
            print("SIGTERM with rspamd down and a full queue: exited \(status.map(String.init) ?? "-") after \(Self.seconds(clock.now - stopAt))")
            #expect(scene.notify.messages.dropFirst(stopMark).contains { $0.has("STOPPING=1") })
            #expect(try !learned(Array(atStop.prefix(1))))
            try proxy.up()
            try await scene.start()
            #expect(try await scene.wait(for: .seconds(20)) { try learned(atStop) })

            let rows = try scene.ledgerRows()
            #expect(rows.count == actions.count && Set(rows.map(\.msgid)).count == actions.count)
            let records = try scene.journal().records
            #expect(records.count == actions.count && records.allSatisfy { $0.outcome == .learned })
            let after = try await testbed.bayesLearns(user)
            #expect(after.spam - before.spam == actions.count, "learns_spam of RS\(user)")
        }
    }

    // MARK: - 4. SIGTERM

    @Test("SIGTERM under load: exit 0, what is stored is consistent, a restart finishes the rest, nothing twice")
    func terminate() async throws {
        try await ServiceScene.with("term", users: 2) { scene in
            let testbed = scene.testbed
            var random = SeededGenerator(seed: Self.seed())
            let (spammed, rescued) = (scene.users[0], scene.users[1])
            let spam = try await Self.actions(scene, user: spammed, name: "t", spam: 150, ham: 0)
            let ham = try await Self.actions(scene, user: rescued, name: "t", spam: 0, ham: 150)
            let all = spam + ham
            let before = (spam: try await testbed.bayesLearns(spammed), ham: try await testbed.bayesLearns(rescued))
            // The moves first, then junkwatch: a backlog of 300 in the journal, a queue of 16.
            try await Self.perform(spam, in: scene, batches: 25, using: &random)
            try await Self.perform(ham, in: scene, batches: 25, using: &random)
            try scene.writeConfiguration(pipeline: "queue = 16\nusers_in_flight = 2")
            let first = try await scene.start()
            #expect(try await scene.wait(for: .seconds(30)) { try scene.ledgerRows().count >= 40 })
            let clock = ContinuousClock()
            let mark = scene.notify.count
            let stopAt = clock.now
            first.send(SIGTERM)
            let status = await first.exitStatus(within: .seconds(15))
            #expect(status == 0)
            print("SIGTERM under load: exited \(status.map(String.init) ?? "-") after \(Self.seconds(clock.now - stopAt))")
            #expect(scene.notify.messages.dropFirst(mark).contains { $0.has("STOPPING=1") })

            // What was stored: one row per action, each with its record in the journal.
            let stored = try scene.ledgerRows()
            #expect(stored.count < all.count, "all \(all.count) done before SIGTERM: no load to stop under")
            #expect(Set(stored.map(\.msgid)).count == stored.count)
            let journaled = try ServiceJournal(pids: [first.pid], since: scene.began, tag: scene.tag).records
            #expect(Set(journaled.map(\.msgid)) == Set(stored.map(\.msgid)), "ledger and journal differ after SIGTERM")
            print("SIGTERM under load: \(stored.count) of \(all.count) stored before the stop")

            // The rest, by the next start.
            let second = try await scene.start()
            #expect(try await scene.wait(for: .seconds(60)) { try scene.ledgerRows().count >= all.count })
            second.send(SIGTERM)
            #expect(await second.exitStatus(within: .seconds(15)) == 0)
            let rows = try scene.ledgerRows()
            #expect(rows.count == all.count && Set(rows.map(\.msgid)) == Set(all.map(\.messageID)))
            // Nothing sent twice: no rspamd answer "already learned".
            let twice = rows.filter { $0.outcome != .learned }
            #expect(twice.isEmpty, "\(twice.map { "\($0.msgid): \($0.reason)" })")
            let records = try scene.journal().records
            #expect(records.count == all.count && Set(records.map(\.msgid)).count == all.count)
            let after = (spam: try await testbed.bayesLearns(spammed), ham: try await testbed.bayesLearns(rescued))
            #expect(after.spam.spam - before.spam.spam == spam.count, "learns_spam of RS\(spammed)")
            #expect(after.ham.ham - before.ham.ham == ham.count, "learns_ham of RS\(rescued)")
        }
    }

    // MARK: - 5. Rotation and vacuum

    /// The dovecot entries of the scene's mail in the local journal, in journal order, as export
    /// text one entry each; waits until `count` have arrived.
    static func dovecotEntries(_ scene: ServiceScene, count: Int) async throws -> [(messageID: String, realtime: UInt64, export: [UInt8])] {
        var entries: [(String, UInt64, [UInt8])] = []
        _ = try await scene.wait(for: .seconds(10)) {
            entries = []
            let reader = try JournalReader(.local)
            try reader.apply(JournalMatch([["_SYSTEMD_UNIT=dovecot.service"]]))
            try reader.seek(realtime: scene.began)
            while try reader.next() {
                guard let message = try reader.text(of: "MESSAGE"), message.contains(scene.tag) else { continue }
                let entry = try reader.entry()
                var export = ExportText()
                export.text("__REALTIME_TIMESTAMP", String(entry.realtime ?? 0))
                export.text("__MONOTONIC_TIMESTAMP", String(entry.monotonic ?? 0))
                for field in entry.fields where !field.name.hasPrefix("__") {
                    if field.value.contains(UInt8(ascii: "\n")) {
                        export.binary(field.name, field.value)
                    } else {
                        export.text(field.name, String(decoding: field.value, as: UTF8.self))
                    }
                }
                export.endEntry()
                let messageID = message.split(separator: "msgid=").last.map { String($0.prefix { $0 != "," }) } ?? ""
                entries.append((messageID, entry.realtime ?? 0, export.bytes))
            }
            return entries.count >= count
        }
        return entries
    }

    @Test("its journal rotated and vacuumed under it, junkwatch goes on; a vacuumed cursor is a notice, and it resumes at the oldest entry")
    func rotation() async throws {
        try await ServiceScene.with("rotate") { scene in
            let testbed = scene.testbed
            let user = scene.users[0]
            let actions = try await Self.actions(scene, user: user, name: "v", spam: 12, ham: 0)
            // The moves are real, logged by dovecot into the machine's journal. junkwatch follows a
            // journal of its own (--directory), which the test writes file by file from those log
            // lines with systemd-journal-remote, as a journal's files are rotated: a new file, old
            // files deleted. The machine's journal is left alone (journalctl --rotate and --vacuum-*
            // act on every journal file, under everybody's tests).
            for action in actions {
                try await testbed.move(user: user, from: "INBOX", to: "Junk", uids: [action.uid])
            }
            let entries = try await Self.dovecotEntries(scene, count: 2 * actions.count)
            func file(_ batch: Int) -> [UInt8] {
                let names = Set(actions[(batch * 3)..<(batch * 3 + 3)].map(\.messageID))
                return entries.filter { names.contains($0.messageID) }.flatMap(\.export)
            }
            let journal = scene.directory + "/journal"
            try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: true)
            func learned(_ batch: Int) throws -> Bool {
                let rows = Set(try scene.ledgerRows().filter(Self.finished).map(\.msgid))
                return actions[(batch * 3)..<(batch * 3 + 3)].allSatisfy { rows.contains($0.messageID) }
            }
            func remove(_ name: String) throws {
                try FileManager.default.removeItem(atPath: journal + "/\(name).journal")
            }

            try await JournalFixture.append(exportText: file(0), to: journal, file: "a")
            try scene.writeConfiguration()
            let first = try await scene.start(["--directory", journal])
            #expect(try await scene.wait(for: .seconds(15)) { try learned(0) })
            // Rotated: the next entries go to a new file.
            try await JournalFixture.append(exportText: file(1), to: journal, file: "b")
            #expect(try await scene.wait(for: .seconds(15)) { try learned(1) })
            // Vacuumed: the oldest file goes, the one junkwatch began in; more in another new file.
            try remove("a")
            try await JournalFixture.append(exportText: file(2), to: journal, file: "c")
            #expect(try await scene.wait(for: .seconds(15)) { try learned(2) }, "log:\n\(scene.log)")
            #expect(!first.hasEnded, "log:\n\(scene.log)")
            first.send(SIGTERM)
            #expect(await first.exitStatus(within: .seconds(15)) == 0)

            // Stopped, its cursor (in c) vacuumed away with everything before d.
            let saved = try #require(try Ledger(path: scene.ledgerPath).savedCursor())
            try await JournalFixture.append(exportText: file(3), to: journal, file: "d")
            try remove("b")
            try remove("c")
            try await scene.start(["--directory", journal])
            #expect(try await scene.wait(for: .seconds(15)) { try learned(3) }, "the moves in the oldest file left were not all learned")
            let oldest = entries.first { $0.messageID == actions[9].messageID }?.realtime
            let lost = try scene.journal().notices.compactMap { notice -> (String, UInt64?)? in
                if case .cursorLost(let cursor, let resumed) = notice { return (cursor, resumed) }
                return nil
            }
            #expect(lost.count == 1, "\(lost)")
            #expect(lost.first?.0 == saved)
            #expect(lost.first?.1 == oldest)

            let rows = try scene.ledgerRows()
            #expect(rows.count == actions.count && Set(rows.map(\.msgid)).count == actions.count)
            #expect(try scene.journal().records.count == actions.count)
        }
    }

    // MARK: - 6. Reload

    @Test("SIGHUP with a good configuration adds a learner; with a broken one the old configuration goes on")
    func reload() async throws {
        try await ServiceScene.with("reload") { scene in
            let testbed = scene.testbed
            let user = scene.users[0]
            let mail = scene.mail("r", count: 8, user: user, seed: 6)
            let uids = try await testbed.put(mail, user: user, mailbox: "INBOX")
            func move(_ range: Range<Int>) async throws {
                try await testbed.move(user: user, from: "INBOX", to: "Junk", uids: mail[range].map { uids[$0.messageID]! }.sorted())
            }
            func rows(_ learner: String) throws -> Set<String> {
                Set(try scene.ledgerRows().filter { $0.learner == learner && Self.finished($0) }.map(\.msgid))
            }
            try scene.writeConfiguration()
            let process = try await scene.start()
            try await move(0..<3)
            #expect(try await scene.wait(for: .seconds(10)) { try rows("rspamd-bayes").count == 3 })

            // A learner added: fuzzy hashes as well.
            try scene.writeConfiguration(rspamd: "fuzzy = true")
            var mark = scene.notify.count
            process.send(SIGHUP)
            #expect(await scene.notify.first(after: mark, within: .seconds(10)) { $0.has("RELOADING=1") } != nil)
            #expect(await scene.notify.first(after: mark, within: .seconds(30)) { $0.has("READY=1") } != nil)
            try await move(3..<6)
            let second = Set(mail[3..<6].map(\.messageID))
            #expect(
                try await scene.wait(for: .seconds(10)) {
                    try rows("rspamd-bayes").isSuperset(of: second) && rows("rspamd-fuzzy") == second
                },
                "\(((try? scene.ledgerRows()) ?? []).map { "\($0.msgid) \($0.learner ?? "") \($0.outcome?.rawValue ?? "")" })"
            )
            #expect(!process.hasEnded, "junkwatch ended after a good reload; log:\n\(scene.log)")

            // A broken configuration: logged, the old one kept, still learning with both.
            try scene.writeConfiguration(rspamd: "fuzzy = true\nfuzy = false")
            mark = scene.notify.count
            process.send(SIGHUP)
            let refused = await scene.notify.first(after: mark, within: .seconds(10)) {
                $0.status?.contains("reload failed, old configuration kept") == true
            }
            #expect(refused?.status?.contains("rspamd.fuzy") == true, "\(refused?.text ?? "no STATUS")")
            #expect(try await scene.wait(for: .seconds(5)) { scene.log.contains("reload failed, going on with the old configuration") })
            #expect(scene.log.contains("rspamd.fuzy"))
            try await move(6..<8)
            let third = Set(mail[6..<8].map(\.messageID))
            #expect(
                try await scene.wait(for: .seconds(10)) {
                    try rows("rspamd-bayes").isSuperset(of: third) && rows("rspamd-fuzzy").isSuperset(of: third)
                }
            )
            #expect(!process.hasEnded, "junkwatch ended after a refused reload; log:\n\(scene.log)")
            process.send(SIGTERM)
            #expect(await process.exitStatus(within: .seconds(15)) == 0)
            #expect(try scene.ledgerRows().count == 8 + 5)
            #expect(try scene.journal().records.count == 8 + 5)
        }
    }

    // MARK: - 7. journald's rate limit
    //
    // When journald's rate limit drops a watched unit's messages, journald says "Suppressed N
    // messages from UNIT" (MESSAGE_ID a596d6fe..., N_DROPPED, OBJECT_SYSTEMD_UNIT) once the
    // limit's interval is over and the unit logs again, and junkwatch turns that into a warning
    // notice with the count. About 35 s, most of it waiting for journald's 30 s interval. Last in
    // the file, so that it tends to run last, when the other suites of the package (which start
    // all at once) are done: while journald works through the flood, every log line on the
    // machine waits behind it.

    /// Run inside the unit's cgroup: `count` syslog lines spread over `spread` seconds, then one
    /// more line `wait` seconds after the first, past journald's 30 s interval, which makes
    /// journald write its "Suppressed" entry (with `count` 0 and `wait` 0: that one line only).
    /// journald's burst is 10,000 lines per 30 s, scaled up with the space the journal may still
    /// use (37,500 here; by default at most 40,000, as that space is capped at 4 GB): 60,000 lines
    /// go well past it. Spread over 12 s rather than all at once, so that journald, busy with
    /// them, does not starve the tests running beside this one.
    static let flood = """
        import os, sys, syslog, time
        procs, count, ident, wait, spread = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
        with open(procs, "w") as f:
            f.write(str(os.getpid()))
        syslog.openlog(ident, 0, syslog.LOG_DAEMON)
        start = time.monotonic()
        for i in range(count):
            syslog.syslog(syslog.LOG_INFO, "flood %d" % i)
            if i % 500 == 499:
                time.sleep(max(0.0, start + spread * (i + 1) / count - time.monotonic()))
        flooded = time.monotonic() - start
        time.sleep(max(0.0, wait - (time.monotonic() - start)))
        syslog.syslog(syslog.LOG_INFO, "flood done")
        print("%d lines in %.2f s" % (count, flooded))
        # journald reads the sender's unit from /proc/PID/cgroup when it gets to the line: a
        # sender already gone leaves it without _SYSTEMD_UNIT, outside the unit's count.
        time.sleep(2)
        """

    @Test("journald suppressing a watched unit's messages becomes a warning notice with the count")
    func suppressed() async throws {
        // The flood comes from a unit of its own that the scene's filter watches besides
        // dovecot.service, not from dovecot.service itself: journald's limit is per unit, and
        // flooding dovecot.service would drop every testbed's dovecot lines for 30 s, failing the
        // tests that wait for them (all testbeds on a machine share that unit). junkwatch treats
        // every unit its filters match on alike.
        let unit = "jw-flood-\(UUID().uuidString.prefix(8).lowercased()).service"
        try await ServiceScene.with("flood", units: [unit]) { scene in
            let dovecot = try String(contentsOfFile: scene.testbed.directory + "/state/cgroup", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let cgroup = URL(fileURLWithPath: dovecot).deletingLastPathComponent().appendingPathComponent(unit).path
            try FileManager.default.createDirectory(atPath: cgroup, withIntermediateDirectories: false)
            defer {
                // Empty once the flood has exited; the kernel may take a moment to see it so.
                var tries = 0
                while rmdir(cgroup) != 0 && errno == EBUSY && tries < 50 {
                    usleep(100_000)
                    tries += 1
                }
            }
            try scene.writeConfiguration()
            let process = try await scene.start()
            func flood(_ count: Int, wait: Int, spread: Int = 0) async throws -> String {
                let arguments = [cgroup + "/cgroup.procs", String(count), "jw-flood", String(wait), String(spread)]
                return try await Program.check(["/usr/bin/python3", "-c", Self.flood] + arguments).output
            }
            let lines = 60_000
            let flooded = try await flood(lines, wait: 32, spread: 12)
            print("journald flood: \(flooded.trimmingCharacters(in: .whitespacesAndNewlines))")
            var sent = lines + 1

            // Everything sent was either kept by journald or counted in a notice.
            var kept = 0
            var notices: [(count: Int, entry: JournalEntry)] = []
            func accounted() throws -> Bool {
                kept = 0
                let reader = try JournalReader(.local)
                try reader.apply(JournalMatch([["_SYSTEMD_UNIT=\(unit)"]]))
                try reader.seek(realtime: scene.began)
                while try reader.next() { kept += 1 }
                notices = try scene.journal().items.compactMap { item in
                    guard case .suppressed(let from, let count)? = item.notice, from == unit else { return nil }
                    return (count, item.entry)
                }
                return kept + notices.map(\.count).reduce(0, +) == sent
            }
            // journald's interval runs from when it got to the first line; on a busy machine that
            // can be a little after it was sent, and the last line fall into it: send another.
            var done = try await scene.wait(for: .seconds(4), accounted)
            while !done && sent < lines + 10 {
                _ = try await flood(0, wait: 0)
                sent += 1
                done = try await scene.wait(for: .seconds(4), accounted)
            }
            let suppressed = notices.map(\.count).reduce(0, +)
            #expect(done, "\(sent) lines sent, \(kept) in the journal, \(suppressed) in junkwatch's notices")
            print("journald flood: \(sent) lines sent, \(kept) kept, \(suppressed) suppressed, in \(notices.count) notices")
            #expect(!notices.isEmpty)
            for (count, entry) in notices {
                #expect(entry.text("MESSAGE_ID") == JournalMessageID.journalSuppressed.rawValue)
                #expect(entry.text("PRIORITY") == "4")
                #expect(entry.text("JUNKWATCH_UNIT") == unit)
                #expect(entry.text("JUNKWATCH_SUPPRESSED") == String(count))
                #expect(entry.text("MESSAGE")?.contains("journald suppressed \(count) messages from \(unit)") == true)
            }
            let status = await scene.notify.first(within: .seconds(8)) {
                $0.status?.contains("journald dropped \(suppressed) messages") == true
            }
            #expect(status != nil, "no STATUS= with the count")
            #expect(!process.hasEnded)
            process.send(SIGTERM)
            #expect(await process.exitStatus(within: .seconds(15)) == 0)
        }
    }
}
