/// Why the ledger could not be opened, read or written, worded for the administrator who has to
/// act on it.
///
/// `description` names the file, what failed and why, e.g.
/// `/var/lib/junkwatch/junkwatch.sqlite: cannot open: unable to open database file (permission
/// denied: the user running junkwatch cannot create files in /var/lib/junkwatch)`.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of trouble it is, for code that handles some kinds differently.
    public enum Kind: String, Sendable, Hashable {
        /// The state directory does not exist and cannot be created, or is not a directory.
        case directory
        /// The file or its directory cannot be written by the user running junkwatch, or is on a
        /// read-only file system.
        case permission
        /// The file is not an SQLite database, or is damaged.
        case notADatabase
        /// The file was written by a newer junkwatch, whose schema this one does not know.
        case newerVersion
        /// Another process holds the database locked for longer than the busy timeout.
        case locked
        /// The disk is full, or reading or writing the file failed.
        case storage
        /// A record the ledger refuses to store (one without an outcome).
        case invalidRecord
        /// Anything else SQLite reported.
        case other
    }

    /// What kind of trouble it is.
    public var kind: Kind
    /// The database file, or the directory when that is what failed.
    public var path: String
    /// What the ledger was doing, as in `cannot open`, `cannot record decisions`.
    public var action: String
    /// What went wrong, and what to do about it where that is known.
    public var problem: String

    /// Creates an error.
    public init(_ kind: Kind, path: String, action: String, problem: String) {
        self.kind = kind
        self.path = path
        self.action = action
        self.problem = problem
    }

    /// The error as one line: path, action and problem, separated by colons.
    public var description: String { "\(path): \(action): \(problem)" }
}
