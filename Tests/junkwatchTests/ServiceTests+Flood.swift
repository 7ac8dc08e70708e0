import Foundation
import JunkwatchCore
import SystemdJournal
import Testing

/// `junkwatch run` when journald's rate limit drops a watched unit's messages: journald says
/// "Suppressed N messages from UNIT" (MESSAGE_ID a596d6fe..., N_DROPPED, OBJECT_SYSTEMD_UNIT)
/// once the limit's interval is over and the unit logs again, and junkwatch turns that into a
/// warning notice with the count. About 35 s, most of it waiting for journald's 30 s interval.
///
/// In the serialized suite: while journald works through the flood (2 to 3 s), every log line on
/// the machine waits behind it, which would throw off the other service tests' timings.
extension ServiceTests {
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
