import GRDB

extension Ledger {
    /// Moves the saved cursor only, for journal entries that produced no decision.
    public func saveCursor(_ cursor: String) throws(LedgerError) {
        try access("cannot save the journal cursor") {
            try database.write { db in try Self.store(cursor: cursor, in: db) }
        }
    }

    /// The journal cursor saved last: the low-watermark of finished entries; `nil` before the first.
    public func savedCursor() throws(LedgerError) -> String? {
        try access("cannot read the journal cursor") {
            try database.read { db in
                try String.fetchOne(db, sql: "SELECT cursor FROM journal_cursor WHERE id = 1")
            }
        }
    }

    /// Sets the one row of the cursor table, inside the caller's transaction.
    static func store(cursor: String, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO journal_cursor (id, cursor) VALUES (1, ?)
                ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor
                """
        ).execute(arguments: [cursor])
    }
}
