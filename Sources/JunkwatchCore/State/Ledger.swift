import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// junkwatch's memory: the journal cursor it has finished up to, and one row per final learner
/// outcome, in an SQLite database in the state directory.
///
/// Records and the cursor move together in one transaction (``commit(_:cursor:at:)``), so a crash
/// at any moment, `kill -9` included, leaves either both or neither: on restart the journal is
/// read again from the saved cursor, and ``lastLearn(user:message:learner:since:)`` keeps what was
/// already learned from being learned twice. The database runs in WAL mode with
/// `synchronous = NORMAL`: a committed transaction survives the process dying; only a power loss
/// can take the last few back, and then the cursor goes back with them.
///
/// Every method is synchronous and quick; one `DatabaseQueue` serializes them, so a ledger can be
/// shared by any number of tasks. Times are stored in microseconds since the epoch. Text is stored
/// verbatim up to a NUL character, where SQLite's text ends (dovecot logs none).
public final class Ledger: Sendable {
    /// The database's file name in the state directory.
    public static let fileName = "junkwatch.sqlite"

    /// How long a write waits for another process (a `replay` next to the service) to let go of
    /// the database before it fails as ``LedgerError/Kind/locked``.
    static let busyTimeout: Double = 10

    /// The database file.
    public let path: String
    let database: DatabaseQueue

    /// Opens the ledger in a state directory, creating the directory (mode 0700, as it holds
    /// users' names and message identities) and the database as needed.
    public convenience init(directory: String) throws(LedgerError) {
        try Self.createDirectory(directory)
        let separator = directory.hasSuffix("/") ? "" : "/"
        try self.init(path: directory + separator + Self.fileName)
    }

    /// Opens the ledger at an explicit path, creating the database when the file does not exist,
    /// and brings its schema up to date.
    public init(path: String) throws(LedgerError) {
        self.path = path
        Self.createPrivateFile(path)
        var configuration = GRDB.Configuration()
        configuration.journalMode = .wal  // and synchronous = NORMAL, which GRDB sets with it
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.label = "junkwatch.ledger"
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw LedgerError(path: path, action: "cannot open", error: error)
        }
        do {
            let migrator = Self.migrator
            let superseded = try database.read { db in try migrator.hasBeenSuperseded(db) }
            guard !superseded else {
                throw LedgerError(
                    .newerVersion,
                    path: path,
                    action: "cannot open",
                    problem: "the ledger was written by a newer junkwatch; run that version, or move the file aside "
                        + "to start an empty ledger"
                )
            }
            try migrator.migrate(database)
        } catch {
            throw LedgerError(path: path, action: "cannot open", error: error)
        }
    }

    /// The message identity the ledger dedupes on.
    ///
    /// It is `msgid:<Message-ID>` when the message has a Message-ID, whether or not dovecot cut it
    /// to 80 characters (a cut one still tells messages apart in practice, and it is cut the same
    /// way every time); else `uid:<uid>:<mailbox>` when its UID is known; else `nil`, and there
    /// is nothing to dedupe on. The UID, all digits, comes first and ends at the first colon, so
    /// any mailbox name reads back unambiguously; no NUL separates them, because SQLite's text
    /// ends at a NUL when GRDB binds and reads it. The user is not part of the key: every row has
    /// the user in a column of its own.
    public static func messageKey(_ message: MessageReference) -> String? {
        if !message.msgid.isEmpty {
            return "msgid:" + message.msgid
        }
        if let uid = message.uid {
            return "uid:" + String(uid) + ":" + message.mailbox
        }
        return nil
    }

    /// Runs a database access, turning whatever it throws into a ``LedgerError`` about this file.
    func access<Value>(_ action: String, _ body: () throws -> Value) throws(LedgerError) -> Value {
        do {
            return try body()
        } catch {
            throw LedgerError(path: path, action: action, error: error)
        }
    }

    /// A time as stored: whole microseconds since the epoch.
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// A stored time as a date.
    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}
