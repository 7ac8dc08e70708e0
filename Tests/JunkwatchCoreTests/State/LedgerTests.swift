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

@Suite("Ledger")
struct LedgerTests {
    /// A fixed time, so that rows sort the same on every run.
    static let start = Date(timeIntervalSince1970: 1_763_700_000)

    /// A final record: alice's spam learned by rspamd unless said otherwise.
    static func record(
        user: String = "alice@example.com",
        verdict: Verdict.Kind = .spam,
        mailbox: String = "Junk",
        uid: UInt32? = 7,
        msgid: String = "<m1@example.com>",
        learner: String? = "rspamd",
        outcome: DecisionRecord.Outcome? = .learned,
        cursor: String? = "s=abc;i=1"
    ) -> DecisionRecord {
        DecisionRecord(
            user: user,
            verdict: verdict,
            mailbox: mailbox,
            uid: uid,
            msgid: msgid,
            size: 364,
            learner: learner,
            outcome: outcome,
            reason: verdict == .spam ? "copied from INBOX into Junk" : "copied out of Junk into INBOX",
            sourceCursor: cursor,
            sourceRealtime: 1_763_700_000_000_000,
            latency: 0.125,
            filter: "dovecot-mail-log",
            rule: "copy"
        )
    }

    static func reference(of record: DecisionRecord) -> MessageReference {
        MessageReference(mailbox: record.mailbox, uid: record.uid, msgid: record.msgid, size: record.size)
    }

    /// SQLite's own check of the whole file: `["ok"]` when it is sound.
    static func integrityCheck(_ ledger: Ledger) throws -> [String] {
        try ledger.database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// A new ledger in a scratch directory, removed afterwards.
    @Test("a committed record stays unreported until marked, so a kill in between is made good")
    func unreportedUntilMarked() throws {
        try Self.withLedger { ledger, _ in
            let bayes = Self.record(cursor: "s=abc;i=1")
            let fuzzy = Self.record(learner: "rspamd-fuzzy", cursor: "s=abc;i=1")
            let other = Self.record(msgid: "<m2@example.com>", cursor: "s=abc;i=2")
            try ledger.commit([bayes, fuzzy], cursor: "s=abc;i=1", at: Self.start)
            try ledger.commit([other], cursor: "s=abc;i=2", at: Self.start)
            #expect(try ledger.unreported() == [bayes, fuzzy, other])
            try ledger.markReported([bayes, fuzzy])
            #expect(try ledger.unreported() == [other])
            try ledger.markReported([other])
            #expect(try ledger.unreported().isEmpty)
        }
    }

    static func withLedger<Result>(_ body: (Ledger, URL) throws -> Result) throws -> Result {
        try withTemporaryDirectory { directory in
            try body(try Ledger(directory: directory.path), directory)
        }
    }

    // MARK: - Round trips

    @Test("A commit stores every field of its records, their time and the cursor")
    func roundTrip() throws {
        try Self.withLedger { ledger, _ in
            #expect(try ledger.savedCursor() == nil)
            #expect(try ledger.entries(user: nil).isEmpty)
            let records = [
                Self.record(learner: "rspamd"),
                Self.record(learner: "rspamd-fuzzy", outcome: .alreadyLearned),
            ]
            try ledger.commit(records, cursor: "s=abc;i=1", at: Self.start)
            let entries = try ledger.entries(user: nil)
            #expect(entries.map(\.record) == records)
            #expect(entries.map(\.time) == [Self.start, Self.start])
            #expect(try ledger.savedCursor() == "s=abc;i=1")
        }
    }

    @Test("Optional fields absent stay absent: no uid, no size, no learner, no cursor")
    func roundTripOfNulls() throws {
        try Self.withLedger { ledger, _ in
            let record = DecisionRecord(
                user: "bob",
                verdict: .ham,
                mailbox: "INBOX",
                outcome: .gone,
                reason: "the message is gone"
            )
            try ledger.commit([record], cursor: nil, at: Self.start)
            #expect(try ledger.entries(user: "bob").map(\.record) == [record])
        }
    }

    @Test(
        "Odd names are stored verbatim",
        arguments: [
            ("o'brien@example.com", "Junk"),
            ("alice+tag@example.com", "Spam, Reports"),
            ("dave smith@example.net", "Müll"),
            ("x$(reboot)", "INBOX/Junk E-mail"),
            ("'; DROP TABLE decision; --", "Ordner \"mit\" Zitat\\"),
        ]
    )
    func oddInput(user: String, mailbox: String) throws {
        try Self.withLedger { ledger, _ in
            // Dovecot cuts long ids to 80 characters ending in "...": still a key.
            let msgid = "<" + String(repeating: "0123456789", count: 8) + "@example.com>"
            let cut = String(msgid.prefix(77)) + "..."
            let records = [
                Self.record(user: user, mailbox: mailbox, msgid: msgid),
                Self.record(user: user, mailbox: mailbox, uid: 8, msgid: cut),
            ]
            try ledger.commit(records, cursor: "s=\u{1F4A9};i=\u{7}\n", at: Self.start)
            #expect(try ledger.entries(user: user).map(\.record) == records)
            #expect(try ledger.savedCursor() == "s=\u{1F4A9};i=\u{7}\n")
            for record in records {
                let prior = try ledger.lastLearn(
                    user: user,
                    message: Self.reference(of: record),
                    learner: "rspamd",
                    since: .distantPast
                )
                #expect(prior == PriorLearn(verdict: .spam, outcome: .learned, time: Self.start))
            }
            #expect(try ledger.counts(user: user) == [.learned: 2])
        }
    }

    @Test("The cursor moves alone, and a commit without one leaves it")
    func cursorAlone() throws {
        try Self.withLedger { ledger, _ in
            try ledger.saveCursor("s=abc;i=1")
            #expect(try ledger.savedCursor() == "s=abc;i=1")
            try ledger.saveCursor("s=abc;i=2")
            #expect(try ledger.savedCursor() == "s=abc;i=2")
            try ledger.commit([Self.record()], cursor: nil, at: Self.start)
            #expect(try ledger.savedCursor() == "s=abc;i=2")
            try ledger.commit([], cursor: "s=abc;i=3", at: Self.start)
            #expect(try ledger.savedCursor() == "s=abc;i=3")
            #expect(try ledger.entries(user: nil).count == 1)
        }
    }

    @Test("Closed and opened again, the ledger keeps its rows and cursor")
    func reopen() throws {
        try withTemporaryDirectory { directory in
            let records = [Self.record(), Self.record(user: "bob", verdict: .ham, outcome: .failed)]
            do {
                let ledger = try Ledger(directory: directory.path)
                try ledger.commit(records, cursor: "s=abc;i=9", at: Self.start)
            }
            let ledger = try Ledger(directory: directory.path)
            #expect(try ledger.entries(user: nil).map(\.record) == records)
            #expect(try ledger.savedCursor() == "s=abc;i=9")
            #expect(ledger.path == directory.path + "/junkwatch.sqlite")
        }
    }

    // MARK: - Dedupe

    @Test("Message keys: the Message-ID, cut or not; else mailbox and UID; else nothing")
    func messageKeys() {
        #expect(
            Ledger.messageKey(MessageReference(mailbox: "Junk", uid: 7, msgid: "<m1@x>"))
                == "msgid:<m1@x>"
        )
        #expect(
            Ledger.messageKey(MessageReference(mailbox: "Junk", msgid: "<abc..."))
                == "msgid:<abc..."
        )
        #expect(
            Ledger.messageKey(MessageReference(mailbox: "Spam, Reports", uid: 7))
                == "uid:7:Spam, Reports"
        )
        #expect(Ledger.messageKey(MessageReference(mailbox: "Junk")) == nil)
        // Mailbox names with colons and digits cannot make two messages one.
        let references = [
            MessageReference(mailbox: "a", uid: 12), MessageReference(mailbox: "2:a", uid: 1),
            MessageReference(mailbox: "1:a", uid: 2), MessageReference(mailbox: "a:1", uid: 2),
            MessageReference(mailbox: "a", uid: 21), MessageReference(mailbox: "msgid:a", uid: 1),
        ]
        let keys = Set(references.compactMap { Ledger.messageKey($0) })
        #expect(keys.count == references.count)
    }

    @Test("lastLearn: the newest learn of this user's message by this learner, since the given time")
    func lastLearn() throws {
        try Self.withLedger { ledger, _ in
            let message = MessageReference(mailbox: "Junk", uid: 7, msgid: "<m1@example.com>")
            let hour: TimeInterval = 3600
            try ledger.commit([Self.record(verdict: .spam)], cursor: "c1", at: Self.start)
            try ledger.commit(
                [Self.record(verdict: .spam, outcome: .alreadyLearned)],
                cursor: "c2",
                at: Self.start + hour
            )
            try ledger.commit([Self.record(user: "bob", verdict: .ham)], cursor: "c3", at: Self.start + 2 * hour)
            try ledger.commit(
                [Self.record(verdict: .ham, learner: "rspamd-fuzzy")],
                cursor: "c4",
                at: Self.start + 3 * hour
            )

            func prior(_ user: String = "alice@example.com", learner: String = "rspamd", since: Date) throws
                -> PriorLearn?
            {
                try ledger.lastLearn(user: user, message: message, learner: learner, since: since)
            }
            // The latest of alice's two rspamd learns; bob's and the fuzzy learner's do not count.
            #expect(
                try prior(since: .distantPast)
                    == .init(verdict: .spam, outcome: .alreadyLearned, time: Self.start + hour)
            )
            // `since` is inclusive, and cuts off what came before it.
            #expect(
                try prior(since: Self.start + hour)
                    == .init(verdict: .spam, outcome: .alreadyLearned, time: Self.start + hour)
            )
            #expect(try prior(since: Self.start + hour + 0.001) == nil)
            #expect(
                try prior("bob", since: .distantPast)
                    == .init(verdict: .ham, outcome: .learned, time: Self.start + 2 * hour)
            )
            #expect(try prior("carol", since: .distantPast) == nil)
            #expect(
                try prior(learner: "rspamd-fuzzy", since: .distantPast)
                    == .init(verdict: .ham, outcome: .learned, time: Self.start + 3 * hour)
            )
            #expect(try prior(learner: "spamassassin", since: .distantPast) == nil)
            // Another message of alice's: nothing.
            #expect(
                try ledger.lastLearn(
                    user: "alice@example.com",
                    message: MessageReference(mailbox: "Junk", uid: 7, msgid: "<m2@example.com>"),
                    learner: "rspamd",
                    since: .distantPast
                ) == nil
            )
        }
    }

    @Test("A reversal shows: spam, then ham, reads as ham, even within the same instant")
    func reversal() throws {
        try Self.withLedger { ledger, _ in
            let message = MessageReference(mailbox: "INBOX", uid: 12, msgid: "<m1@example.com>")
            try ledger.commit([Self.record(verdict: .spam, mailbox: "Junk")], cursor: "c1", at: Self.start)
            try ledger.commit(
                [Self.record(verdict: .ham, mailbox: "INBOX", uid: 12)],
                cursor: "c2",
                at: Self.start + 60
            )
            #expect(
                try ledger.lastLearn(
                    user: "alice@example.com",
                    message: message,
                    learner: "rspamd",
                    since: .distantPast
                )
                    == .init(verdict: .ham, outcome: .learned, time: Self.start + 60)
            )
            // Committed at the same time, the later commit wins.
            try ledger.commit([Self.record(verdict: .spam)], cursor: "c3", at: Self.start + 120)
            try ledger.commit([Self.record(verdict: .ham)], cursor: "c4", at: Self.start + 120)
            #expect(
                try ledger.lastLearn(
                    user: "alice@example.com",
                    message: message,
                    learner: "rspamd",
                    since: .distantPast
                )?
                .verdict == .ham
            )
        }
    }

    @Test("Failed, skipped and gone rows are not learns", arguments: [DecisionRecord.Outcome.failed, .skipped, .gone])
    func notLearns(outcome: DecisionRecord.Outcome) throws {
        try Self.withLedger { ledger, _ in
            let message = MessageReference(mailbox: "Junk", uid: 7, msgid: "<m1@example.com>")
            try ledger.commit([Self.record(verdict: .ham)], cursor: "c1", at: Self.start)
            try ledger.commit([Self.record(verdict: .spam, outcome: outcome)], cursor: "c2", at: Self.start + 60)
            // The earlier ham learn is still the last learn: the later attempt did not teach anything.
            #expect(
                try ledger.lastLearn(
                    user: "alice@example.com",
                    message: message,
                    learner: "rspamd",
                    since: .distantPast
                )
                    == .init(verdict: .ham, outcome: .learned, time: Self.start)
            )
            #expect(
                try ledger.lastLearn(
                    user: "alice@example.com",
                    message: message,
                    learner: "rspamd",
                    since: Self.start + 1
                )
                    == nil
            )
        }
    }

    @Test("isRecorded: any final record of the entry and learner but a failed one")
    func isRecorded() throws {
        try Self.withLedger { ledger, _ in
            try ledger.commit([Self.record(outcome: .skipped, cursor: "c1")], cursor: nil, at: Self.start)
            try ledger.commit([Self.record(outcome: .failed, cursor: "c2")], cursor: nil, at: Self.start)
            #expect(try ledger.isRecorded(sourceCursor: "c1", learner: "rspamd"))
            #expect(try !ledger.isRecorded(sourceCursor: "c1", learner: "sa-learn"))
            #expect(try !ledger.isRecorded(sourceCursor: "c2", learner: "rspamd"))
            try ledger.commit([Self.record(outcome: .learned, cursor: "c2")], cursor: nil, at: Self.start + 1)
            #expect(try ledger.isRecorded(sourceCursor: "c2", learner: "rspamd"))
        }
    }

    @Test("Without a Message-ID the UID in its mailbox identifies a message; without either, nothing does")
    func keysWithoutMessageID() throws {
        try Self.withLedger { ledger, _ in
            try ledger.commit([Self.record(mailbox: "Junk", uid: 7, msgid: "")], cursor: nil, at: Self.start)
            try ledger.commit([Self.record(mailbox: "Junk", uid: nil, msgid: "")], cursor: nil, at: Self.start)
            func prior(_ message: MessageReference) throws -> PriorLearn? {
                try ledger.lastLearn(
                    user: "alice@example.com",
                    message: message,
                    learner: "rspamd",
                    since: .distantPast
                )
            }
            #expect(try prior(MessageReference(mailbox: "Junk", uid: 7)) != nil)
            #expect(try prior(MessageReference(mailbox: "Junk", uid: 8)) == nil)
            #expect(try prior(MessageReference(mailbox: "INBOX", uid: 7)) == nil)
            #expect(try prior(MessageReference(mailbox: "Junk")) == nil)
            #expect(try ledger.entries(user: nil).count == 2)
        }
    }

    // MARK: - Housekeeping

    @Test("Prune deletes what is older than the limit, and says how many")
    func prune() throws {
        try Self.withLedger { ledger, _ in
            let day: TimeInterval = 86_400
            for index in 0..<5 {
                try ledger.commit(
                    [Self.record(msgid: "<m\(index)@x>")],
                    cursor: "c\(index)",
                    at: Self.start + Double(index) * day
                )
            }
            #expect(try ledger.prune(before: Self.start + 2 * day) == 2)
            #expect(try ledger.entries(user: nil).map(\.time) == [2, 3, 4].map { Self.start + $0 * day })
            #expect(try ledger.prune(before: Self.start + 2 * day) == 0)
            #expect(try ledger.savedCursor() == "c4")
            #expect(
                try ledger.lastLearn(
                    user: "alice@example.com",
                    message: MessageReference(mailbox: "Junk", msgid: "<m0@x>"),
                    learner: "rspamd",
                    since: .distantPast
                ) == nil
            )
        }
    }

    @Test("Counts per outcome, for one user or all")
    func counts() throws {
        try Self.withLedger { ledger, _ in
            try ledger.commit(
                [
                    Self.record(outcome: .learned), Self.record(learner: "rspamd-fuzzy", outcome: .skipped),
                    Self.record(user: "bob", outcome: .learned), Self.record(user: "bob", outcome: .failed),
                    Self.record(user: "bob", learner: "spamassassin", outcome: .alreadyLearned),
                ],
                cursor: "c1",
                at: Self.start
            )
            #expect(try ledger.counts(user: nil) == [.learned: 2, .skipped: 1, .failed: 1, .alreadyLearned: 1])
            #expect(try ledger.counts(user: "alice@example.com") == [.learned: 1, .skipped: 1])
            #expect(try ledger.counts(user: "carol") == [:])
        }
    }

    // MARK: - Transactions

    @Test("A commit with an invalid record stores nothing: not the other records, not the cursor")
    func atomicity() throws {
        try Self.withLedger { ledger, _ in
            try ledger.commit([Self.record()], cursor: "c1", at: Self.start)
            // The invalid record comes last, after the cursor and a valid record were written in
            // the transaction: both must roll back.
            let error = #expect(throws: LedgerError.self) {
                try ledger.commit(
                    [Self.record(user: "bob"), Self.record(user: "bob", outcome: nil)],
                    cursor: "c2",
                    at: Self.start + 1
                )
            }
            #expect(error?.kind == .invalidRecord)
            #expect(error?.description.contains("has no outcome") == true)
            #expect(try ledger.savedCursor() == "c1")
            #expect(try ledger.entries(user: nil).count == 1)
            #expect(try ledger.counts(user: "bob") == [:])
        }
    }

    @Test("Many tasks commit at once; every row and exactly one of the cursors arrive")
    func concurrentCommits() async throws {
        try await withTemporaryDirectory { directory in
            let ledger = try Ledger(directory: directory.path)
            let tasks = 8
            let commits = 100
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for index in 0..<commits {
                            try ledger.commit(
                                [Self.record(user: "user\(task)", msgid: "<\(index)@x>")],
                                cursor: "t\(task);i\(index)",
                                at: Self.start + Double(index)
                            )
                            _ = try ledger.lastLearn(
                                user: "user\(task)",
                                message: MessageReference(mailbox: "Junk", msgid: "<\(index)@x>"),
                                learner: "rspamd",
                                since: Self.start
                            )
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try ledger.counts(user: nil) == [.learned: tasks * commits])
            let cursor = try #require(try ledger.savedCursor())
            #expect(cursor.hasSuffix("i\(commits - 1)"))
            #expect(try Self.integrityCheck(ledger) == ["ok"])
        }
    }

    // MARK: - Errors

    @Test("The state directory is created with mode 0700, with its missing parents")
    func createsDirectory() throws {
        try withTemporaryDirectory { directory in
            let state = directory.appendingPathComponent("var/lib/junkwatch").path
            let ledger = try Ledger(directory: state)
            try ledger.saveCursor("c1")
            var status = stat()
            #expect(stat(state, &status) == 0)
            #expect(status.st_mode & 0o7777 == 0o700)
            // The database and its WAL files are the owner's only.
            for file in ["junkwatch.sqlite", "junkwatch.sqlite-wal", "junkwatch.sqlite-shm"] {
                #expect(stat(state + "/" + file, &status) == 0)
                #expect(status.st_mode & 0o7777 == 0o600, "\(file)")
            }
            // An existing directory is used as it is.
            #expect(try Ledger(directory: state + "/").savedCursor() == "c1")
        }
    }

    @Test("A state directory that cannot be created: the error names it and says why")
    func directoryCannotBeCreated() throws {
        try withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("plain-file").path
            #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
            let error = #expect(throws: LedgerError.self) { try Ledger(directory: file + "/state") }
            #expect(error?.kind == .directory)
            #expect(
                error?.description == "\(file)/state: cannot create the state directory: \(file) is not a directory"
            )
            let onFile = #expect(throws: LedgerError.self) { try Ledger(directory: file) }
            #expect(onFile?.kind == .directory)
        }
    }

    @Test("A file that is not a database: the error names it and says what to do")
    func notADatabase() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent(Ledger.fileName).path
            var generator = SeededGenerator(seed: 5)
            #expect(FileManager.default.createFile(atPath: path, contents: Data(generator.bytes(8192))))
            let error = #expect(throws: LedgerError.self) { try Ledger(directory: directory.path) }
            #expect(error?.kind == .notADatabase)
            #expect(error?.description.hasPrefix("\(path): cannot open: file is not a database (") == true)
            #expect(error?.description.contains("move the file aside") == true)
        }
    }

    @Test("A damaged ledger: opening or reading it fails with a clear error, not a crash")
    func damaged() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent(Ledger.fileName).path
            do {
                let ledger = try Ledger(path: path)
                for index in 0..<50 {
                    try ledger.commit(
                        (0..<20).map { Self.record(msgid: "<\(index)-\($0)@example.com>") },
                        cursor: "c\(index)",
                        at: Self.start + Double(index)
                    )
                }
            }
            // Closed: its WAL is checkpointed into the file. Now overwrite pages past the first.
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            try handle.seek(toOffset: 4096)
            try handle.write(contentsOf: Data(repeating: 0xA5, count: 3 * 4096))
            try handle.close()

            let error = #expect(throws: LedgerError.self) {
                let ledger = try Ledger(path: path)
                _ = try ledger.entries(user: nil)
                _ = try ledger.counts(user: nil)
                _ = try ledger.savedCursor()
            }
            #expect(error?.kind == .notADatabase)
            #expect(error?.description.hasPrefix(path + ": ") == true)
            #expect(error?.description.contains("move it aside") == true)
        }
    }

    @Test("A ledger written by a newer junkwatch is refused, not mangled")
    func newerVersion() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent(Ledger.fileName).path
            do {
                let ledger = try Ledger(path: path)
                try ledger.database.write { db in
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: the future')")
                }
            }
            let error = #expect(throws: LedgerError.self) { try Ledger(path: path) }
            #expect(error?.kind == .newerVersion)
            #expect(
                error?.description
                    == "\(path): cannot open: the ledger was written by a newer junkwatch; run that version, or move the file aside to start an empty ledger"
            )
        }
    }

    @Test("A read-only state directory: the error names the file and says who cannot write where")
    func readOnlyDirectory() async throws {
        try await Self.withReadOnlyScratch { directory, lock in
            try await lock(directory.path)
            let path = directory.path + "/" + Ledger.fileName
            let error = #expect(throws: LedgerError.self) { try Ledger(directory: directory.path) }
            #expect(error?.kind == .permission)
            #expect(
                error?.description
                    == "\(path): cannot open: unable to open database file (permission denied: the user running "
                    + "junkwatch cannot create files in \(directory.path))"
            )
        }
    }

    @Test("A ledger made read-only after it was written: opening it says so")
    func readOnlyLedger() async throws {
        try await Self.withReadOnlyScratch { directory, lock in
            do {
                let ledger = try Ledger(directory: directory.path)
                try ledger.commit([Self.record()], cursor: "c1", at: Self.start)
            }
            let path = directory.path + "/" + Ledger.fileName
            try await lock(path)
            try await lock(directory.path)
            let error = #expect(throws: LedgerError.self) { try Ledger(directory: directory.path) }
            #expect(error?.kind == .permission)
            #expect(error?.description.hasPrefix("\(path): cannot open: ") == true)
            #expect(
                error?.description.contains(
                    "(permission denied: the user running junkwatch cannot create files in \(directory.path))"
                ) == true
            )
        }
    }

    /// Runs `body` with a scratch directory and a function that makes a file or directory in it
    /// read-only, then undoes that and removes the directory.
    ///
    /// Root ignores file modes, and the tests run as root in CI: there the lock is the immutable
    /// attribute (`chattr +i`), which binds root too, and which needs a file system that has it
    /// (ext4, xfs, btrfs; a tmpfs `/tmp` does not) and CAP_LINUX_IMMUTABLE.
    static func withReadOnlyScratch(
        _ body: (URL, (String) async throws -> Void) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory { directory in
            var locked: [String] = []
            let result: Swift.Result<Void, any Error>
            do {
                try await body(directory) { path in
                    if geteuid() == 0 {
                        try await Program.check(["/usr/bin/chattr", "+i", path])
                    } else {
                        try #require(chmod(path, 0o555) == 0)
                    }
                    locked.append(path)
                }
                result = .success(())
            } catch {
                result = .failure(error)
            }
            for path in locked.reversed() {
                if geteuid() == 0 {
                    try await Program.check(["/usr/bin/chattr", "-i", path])
                } else {
                    chmod(path, 0o755)
                }
            }
            try result.get()
        }
    }
}
