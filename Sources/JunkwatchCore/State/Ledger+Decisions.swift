import GRDB

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

extension Ledger {
    /// The most recent successful learn (outcome `learned` or `already-learned`) of this message
    /// for this user by this learner at or after `since`; `nil` when there is none, or when the
    /// message has no identity to look it up by (see ``messageKey(_:)``).
    ///
    /// Among learns recorded at the same time, the one committed last wins, so a reversal (spam,
    /// then ham) reads as the later verdict.
    public func lastLearn(
        user: String,
        message: MessageReference,
        learner: String,
        since: Date
    ) throws(LedgerError) -> PriorLearn? {
        guard let key = Self.messageKey(message) else { return nil }
        let since = Self.microseconds(since)
        let row = try access("cannot look up earlier learns") {
            try database.read { db in
                try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT verdict, outcome, time FROM decision
                            WHERE user = ? AND message_key = ? AND learner = ? AND time >= ?
                              AND outcome IN ('learned', 'already-learned')
                            ORDER BY time DESC, id DESC LIMIT 1
                            """
                    ),
                    arguments: [user, key, learner, since]
                )
            }
        }
        guard let row else { return nil }
        let action = "cannot look up earlier learns"
        return PriorLearn(
            verdict: try decode(row["verdict"], as: Verdict.Kind.self, action: action),
            outcome: try decode(row["outcome"], as: DecisionRecord.Outcome.self, action: action),
            time: Self.date(microseconds: row["time"])
        )
    }

    /// Whether a record for the entry at `sourceCursor` and `learner` is stored that needs no
    /// second try: the entry was finished before a crash kept the saved cursor from moving past
    /// it, or an earlier replay did it. A `failed` record does not count: a replay that gave up
    /// while rspamd was down, or stopped at a wrong password, is tried again by the next one.
    public func isRecorded(sourceCursor: String, learner: String) throws(LedgerError) -> Bool {
        try access("cannot look up finished entries") {
            try database.read { db in
                try Bool.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT EXISTS (
                              SELECT 1 FROM decision WHERE source_cursor = ? AND learner = ? AND outcome != 'failed'
                            )
                            """
                    ),
                    arguments: [sourceCursor, learner]
                ) ?? false
            }
        }
    }

    /// Records the final records of one decision, one per learner, and, when `cursor` is not
    /// `nil`, sets the saved cursor: all in one transaction, so that neither is ever stored
    /// without the other.
    ///
    /// - Throws: ``LedgerError`` of kind ``LedgerError/Kind/invalidRecord`` for a record without
    ///   an outcome (a dry run's record has no place here); then nothing is stored and the cursor
    ///   stays where it was.
    public func commit(_ records: [DecisionRecord], cursor: String?, at time: Date) throws(LedgerError) {
        guard !records.isEmpty || cursor != nil else { return }
        let time = Self.microseconds(time)
        let path = path
        try access("cannot record decisions") {
            try database.write { db in
                if let cursor { try Self.store(cursor: cursor, in: db) }
                let insert = try db.cachedStatement(sql: Self.insertSQL)
                for record in records {
                    // Checked in the transaction, after the cursor and any earlier record: a refusal
                    // rolls them back, which the tests rely on to see that commits are atomic.
                    guard let outcome = record.outcome else {
                        throw LedgerError(
                            .invalidRecord,
                            path: path,
                            action: "cannot record decisions",
                            problem: "a record of \(record.user)'s \(record.verdict.rawValue) has no outcome; "
                                + "only a learner's final outcome is recorded"
                        )
                    }
                    try insert.execute(arguments: Self.arguments(record, outcome: outcome, time: time))
                }
            }
        }
    }

    /// Deletes the rows recorded before `before`.
    /// - Returns: how many it deleted.
    @discardableResult
    public func prune(before: Date) throws(LedgerError) -> Int {
        let before = Self.microseconds(before)
        return try access("cannot prune old decisions") {
            try database.write { db in
                try db.execute(sql: "DELETE FROM decision WHERE time < ?", arguments: [before])
                return db.changesCount
            }
        }
    }

    /// The number of rows per outcome, of one user or of all; outcomes without rows are absent.
    public func counts(user: String?) throws(LedgerError) -> [DecisionRecord.Outcome: Int] {
        let action = "cannot count decisions"
        let rows = try access(action) {
            try database.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT outcome, COUNT(*) AS count FROM decision WHERE \(Self.ofUser) GROUP BY outcome",
                    arguments: [user]
                )
            }
        }
        var counts: [DecisionRecord.Outcome: Int] = [:]
        for row in rows {
            counts[try decode(row["outcome"], as: DecisionRecord.Outcome.self, action: action), default: 0] +=
                row["count"] as Int
        }
        return counts
    }

    /// The records committed but not yet marked reported, oldest first: a kill came between the
    /// commit and the journal.
    public func unreported() throws(LedgerError) -> [DecisionRecord] {
        let action = "cannot read unreported decisions"
        let rows = try access(action) {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM decision WHERE reported = 0 ORDER BY id")
            }
        }
        var records: [DecisionRecord] = []
        for row in rows { records.append(try record(from: row, action: action)) }
        return records
    }

    /// Marks the rows of these records reported (by source cursor and learner).
    public func markReported(_ records: [DecisionRecord]) throws(LedgerError) {
        let keys = records.compactMap { record in record.sourceCursor.map { ($0, record.learner ?? "") } }
        guard !keys.isEmpty else { return }
        try access("cannot mark decisions reported") {
            try database.write { db in
                let update = try db.cachedStatement(
                    sql: "UPDATE decision SET reported = 1 WHERE source_cursor = ? AND learner IS ? AND reported = 0"
                )
                for (cursor, learner) in keys {
                    try update.execute(arguments: [cursor, learner.isEmpty ? nil : learner])
                }
            }
        }
    }

    /// Every row, of one user or of all, oldest first, as the records that were committed and the
    /// time they were committed at; for inspection and tests.
    public func entries(user: String?) throws(LedgerError) -> [(record: DecisionRecord, time: Date)] {
        let action = "cannot read decisions"
        let rows = try access(action) {
            try database.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM decision WHERE \(Self.ofUser) ORDER BY time, id",
                    arguments: [user]
                )
            }
        }
        var entries: [(record: DecisionRecord, time: Date)] = []
        entries.reserveCapacity(rows.count)
        for row in rows {
            entries.append((try record(from: row, action: action), Self.date(microseconds: row["time"])))
        }
        return entries
    }

    /// The condition for the rows of the user bound to `?1`, or of every user when it is `NULL`;
    /// for inspection only, as it keeps SQLite from using the index on the user.
    private static let ofUser = "(?1 IS NULL OR user = ?1)"

    /// The record a row holds.
    private func record(from row: Row, action: String) throws(LedgerError) -> DecisionRecord {
            let uid: Int64? = row["uid"]
            let realtime: Int64? = row["source_realtime"]
            return DecisionRecord(
                user: row["user"],
                verdict: try decode(row["verdict"], as: Verdict.Kind.self, action: action),
                mailbox: row["mailbox"],
                uid: uid.flatMap { UInt32(exactly: $0) },
                msgid: row["msgid"],
                size: row["size"],
                learner: row["learner"],
                outcome: try decode(row["outcome"], as: DecisionRecord.Outcome.self, action: action),
                reason: row["reason"],
                sourceCursor: row["source_cursor"],
                sourceRealtime: realtime.map { UInt64(bitPattern: $0) },
                latency: row["latency"],
                filter: row["filter"],
                rule: row["rule"]
            )
    }

    static let insertSQL = """
        INSERT INTO decision (
            time, user, message_key, verdict, learner, outcome, mailbox, uid, msgid, size, reason,
            source_cursor, source_realtime, latency, filter, rule, reported
        ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
        """

    /// The values of `insertSQL` for a record.
    static func arguments(_ record: DecisionRecord, outcome: DecisionRecord.Outcome, time: Int64) -> StatementArguments
    {
        let message = MessageReference(mailbox: record.mailbox, uid: record.uid, msgid: record.msgid, size: record.size)
        let values: [(any DatabaseValueConvertible)?] = [
            time,
            record.user,
            messageKey(message),
            record.verdict.rawValue,
            record.learner,
            outcome.rawValue,
            record.mailbox,
            record.uid.map { Int64($0) },
            record.msgid,
            record.size,
            record.reason,
            record.sourceCursor,
            // Journal times are microseconds since the epoch, far below Int64's limit; the bit
            // pattern keeps even an absurd one exact.
            record.sourceRealtime.map { Int64(bitPattern: $0) },
            record.latency,
            record.filter,
            record.rule,
        ]
        return StatementArguments(values)
    }

    /// A stored verdict or outcome as its Swift value; a value this junkwatch does not know (from
    /// a damaged file) is an error rather than a guess.
    private func decode<Value: RawRepresentable<String>>(
        _ text: String,
        as type: Value.Type,
        action: String
    ) throws(LedgerError) -> Value {
        guard let value = Value(rawValue: text) else {
            throw LedgerError(.other, path: path, action: action, problem: "unknown value \"\(text)\" in the database")
        }
        return value
    }
}
