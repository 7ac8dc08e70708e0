import Foundation
import GRDB
import TestSupport
import Testing

@testable import JunkwatchCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `kill -9` in the middle of a stream of commits, for real: the test binary runs itself as the
/// writer, which a thread of its own kills with SIGKILL at a random moment, most likely inside a
/// transaction.
@Suite("Ledger after SIGKILL")
struct LedgerCrashTests {
    /// Set in the child's environment to the state directory it writes to.
    static let childVariable = "JUNKWATCH_LEDGER_CRASH_CHILD"

    @Test("Killed mid-stream, three times over, the writer leaves whole commits and their cursor, nothing else")
    func killedWriter() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var previous = 0
        for round in 1...3 {
            let result = try await Program.run(
                [executable, "--testing-library", "swift-testing", "--filter", "LedgerCrashTests/writer"],
                environment: [Self.childVariable: directory.path],
                timeout: .seconds(60)
            )
            try #require(
                result.status == 128 + SIGKILL,
                "round \(round): the writer was not killed: \(result.error)\(result.output)"
            )

            // Opening it again runs SQLite's recovery of the WAL the writer left.
            let ledger = try Ledger(directory: directory.path)
            let cursor = try #require(try ledger.savedCursor(), "round \(round): no cursor saved")
            let committed = try #require(Int(cursor.dropFirst("n=".count)), "round \(round): cursor \(cursor)")
            #expect(committed > previous, "round \(round) made no progress")
            // Every commit up to the cursor is there with both its records, and none after it.
            let cursors = try ledger.entries(user: nil).map { $0.record.sourceCursor ?? "" }
            let expected = (1...committed).flatMap { ["n=\($0)", "n=\($0)"] }
            #expect(cursors.count == expected.count, "round \(round): cursor \(cursor)")
            let difference = cursors.indices.first { $0 >= expected.count || cursors[$0] != expected[$0] }
            #expect(difference == nil, "round \(round): row \(difference ?? 0) is \(cursors[difference ?? 0])")
            #expect(try ledger.counts(user: nil) == [.learned: committed, .failed: committed])
            let check = try await ledger.database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            #expect(check == ["ok"])
            previous = committed
        }
    }

    @Test(
        "The writer that killedWriter runs and kills",
        .enabled(if: ProcessInfo.processInfo.environment[childVariable] != nil, "runs only as killedWriter's child")
    )
    func writer() throws {
        let directory = try #require(ProcessInfo.processInfo.environment[Self.childVariable])
        let ledger = try Ledger(directory: directory)
        var next = (try ledger.savedCursor().flatMap { Int($0.dropFirst("n=".count)) } ?? 0) + 1
        var killerStarted = false
        while true {
            let cursor = "n=\(next)"
            let record = DecisionRecord(
                user: "alice@example.com",
                verdict: next.isMultiple(of: 2) ? .ham : .spam,
                mailbox: "Junk",
                uid: UInt32(next),
                msgid: "<\(next)@example.com>",
                learner: "rspamd",
                outcome: .learned,
                reason: "copied from INBOX into Junk",
                sourceCursor: cursor
            )
            var fuzzy = record
            fuzzy.learner = "rspamd-fuzzy"
            fuzzy.outcome = .failed
            try ledger.commit([record, fuzzy], cursor: cursor, at: Date())
            next += 1
            if !killerStarted {
                // After the first commit, so that every round makes progress.
                killerStarted = true
                let delay = useconds_t.random(in: 50_000...300_000)
                Thread.detachNewThread {
                    usleep(delay)
                    kill(getpid(), SIGKILL)
                }
            }
        }
    }
}
