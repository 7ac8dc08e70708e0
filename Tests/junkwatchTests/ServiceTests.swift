import Foundation
import JunkwatchCore
import SystemdJournal
import TestSupport
import Testing

/// `junkwatch run` end to end, as a real process against the testbed: users move mail over IMAP,
/// dovecot logs to the machine's journal, junkwatch follows it, fetches with doveadm, teaches
/// rspamd, stores to its ledger and writes records to the journal; the tests kill it, stop it,
/// reload it, take rspamd away, and rotate its journal under it.
///
/// How the tests keep to their own mail on a shared journal and testbed: see ``ServiceScene``
/// (each scene's filter acts only on Message-IDs carrying its tag; records are read by the pids
/// of the scene's processes). Redis counters are exact only for users no other test of the
/// package learns for through rspamd: carol and dave (the rspamd learner tests use alice, bob
/// and x$(reboot)). Serialized: the tests share those two users' counters.
@Suite("junkwatch run as a service", .serialized, .enabled(if: ServiceTestbed.shouldRun, ServiceTestbed.skipReason))
struct ServiceTests {
    static let alice = "alice@example.com"
    static let bob = "bob@example.com"
    static let carol = "carol.o'neil+tag@example.org"
    static let dave = "dave smith@example.net"

    /// A seed for the random parts, from `JUNKWATCH_TEST_SEED` to rerun a failure, else new.
    static func seed() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["JUNKWATCH_TEST_SEED"], let seed = UInt64(text) {
            return seed
        }
        return UInt64.random(in: 1...UInt64.max)
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.3f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    // MARK: - 1. Live

    @Test("moves over IMAP are learned within a couple of seconds: records in the journal, counters in Redis")
    func live() async throws {
        try await ServiceScene.with("live") { scene in
            let testbed = scene.testbed
            let user = Self.dave
            let spam = scene.mail("s", count: 4, user: user, seed: 1)
            let ham = scene.mail("h", count: 4, user: user, seed: 2)
            let inInbox = try await testbed.put(spam, user: user, mailbox: "INBOX")
            let inJunk = try await testbed.put(ham, user: user, mailbox: "Junk")
            try scene.writeConfiguration()
            try await scene.start()
            let before = try await testbed.counters(user)

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
            let after = try await testbed.counters(user)
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
        }
    }

    // MARK: - 6. Reload

    @Test("SIGHUP with a good configuration adds a learner; with a broken one the old configuration goes on")
    func reload() async throws {
        try await ServiceScene.with("reload") { scene in
            let testbed = scene.testbed
            let user = Self.alice
            let mail = scene.mail("r", count: 8, user: user, seed: 6)
            let uids = try await testbed.put(mail, user: user, mailbox: "INBOX")
            func move(_ range: Range<Int>) async throws {
                try await testbed.move(user: user, from: "INBOX", to: "Junk", uids: mail[range].map { uids[$0.messageID]! }.sorted())
            }
            func rows(_ learner: String) throws -> Set<String> {
                Set(try scene.ledgerRows().filter { $0.learner == learner && $0.outcome == .learned }.map(\.msgid))
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
}
