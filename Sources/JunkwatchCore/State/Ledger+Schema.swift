import GRDB

extension Ledger {
    /// The schema's history. GRDB remembers in the database which migrations ran, so a later
    /// junkwatch adds a migration here and an existing ledger is brought up to date on open; a
    /// released migration is never edited.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: decisions and cursor") { db in
            // One row per final learner outcome. Names, mailboxes and ids are stored verbatim;
            // times in microseconds since the epoch. No CHECK on verdict or outcome: a later
            // outcome would need the table rebuilt, and the Swift side checks what it reads.
            try db.execute(
                sql: """
                    CREATE TABLE decision (
                        id INTEGER PRIMARY KEY,
                        time INTEGER NOT NULL,
                        user TEXT NOT NULL,
                        message_key TEXT,
                        verdict TEXT NOT NULL,
                        learner TEXT,
                        outcome TEXT NOT NULL,
                        mailbox TEXT NOT NULL,
                        uid INTEGER,
                        msgid TEXT NOT NULL,
                        size INTEGER,
                        reason TEXT NOT NULL,
                        source_cursor TEXT,
                        source_realtime INTEGER,
                        latency REAL,
                        filter TEXT,
                        rule TEXT
                    );
                    -- lastLearn: equality on the first three, newest first on time.
                    CREATE INDEX decision_learn ON decision (user, message_key, learner, time);
                    -- prune.
                    CREATE INDEX decision_time ON decision (time);
                    -- isRecorded: an entry finished before a crash kept the cursor back.
                    CREATE INDEX decision_source ON decision (source_cursor, learner);
                    -- The journal cursor: one row at most.
                    CREATE TABLE journal_cursor (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        cursor TEXT NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v2: reported") { db in
            // Whether the record reached its report (the journal): a row committed just before a
            // kill is written to the journal at the next start. Rows from before count as reported.
            try db.execute(
                sql: """
                    ALTER TABLE decision ADD COLUMN reported INTEGER NOT NULL DEFAULT 1;
                    CREATE INDEX decision_unreported ON decision (reported) WHERE reported = 0;
                    """
            )
        }
        return migrator
    }
}
