import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension LedgerError {
    /// Words an error from SQLite (through GRDB) for the administrator: SQLite's own message,
    /// then in parentheses what it most likely means here and what to do.
    init(path: String, action: String, error: any Error) {
        if let error = error as? LedgerError {
            self = error
            return
        }
        guard let error = error as? DatabaseError else {
            self.init(.other, path: path, action: action, problem: "\(error)")
            return
        }
        let message = error.message ?? "SQLite error \(error.resultCode.rawValue)"
        let (kind, advice): (Kind, String?)
        switch error.resultCode {
        case .SQLITE_CANTOPEN:
            if let access = Self.accessProblem(path: path) {
                (kind, advice) = access
            } else {
                (kind, advice) = (.other, nil)
            }
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            kind = .permission
            advice =
                Self.accessProblem(path: path)?.advice
                ?? "the file or its directory is read-only for the user running junkwatch; the ledger needs to write both"
        case .SQLITE_NOTADB:
            kind = .notADatabase
            advice =
                "it is not a junkwatch ledger: set [state] directory to another place, or move the file aside "
                + "to start an empty ledger, which forgets the remembered learns and the journal position"
        case .SQLITE_CORRUPT:
            kind = .notADatabase
            advice =
                "the file is damaged: move it aside to start an empty ledger, which forgets the remembered "
                + "learns and the journal position; sqlite3's .recover may save its rows"
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            kind = .locked
            advice = "another process holds it: is a second junkwatch using the same state directory?"
        case .SQLITE_FULL:
            kind = .storage
            advice = "free some space on the file system of \(Self.directory(of: path))"
        case .SQLITE_IOERR:
            kind = .storage
            advice =
                Self.accessProblem(path: path)?.advice
                ?? "reading or writing the file failed: check the file system and the kernel log"
        default:
            (kind, advice) = (.other, nil)
        }
        self.init(kind, path: path, action: action, problem: advice.map { "\(message) (\($0))" } ?? message)
    }

    /// Why the user running junkwatch cannot use the database file at `path`, found by asking
    /// the kernel, since SQLite's "unable to open database file" does not say; `nil` when nothing
    /// is wrong that way.
    static func accessProblem(path: String) -> (kind: Kind, advice: String)? {
        let directory = directory(of: path)
        var status = stat()
        guard stat(directory, &status) == 0 else {
            return (.directory, "the directory \(directory) does not exist")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            return (.directory, "\(directory) is not a directory")
        }
        // The directory must be writable even when the file exists: SQLite creates the -wal and
        // -shm files next to it.
        if access(directory, W_OK | X_OK) != 0 {
            return (.permission, denial(errno, for: directory, verb: "create files in"))
        }
        if stat(path, &status) == 0 {
            if status.st_mode & S_IFMT == S_IFDIR {
                return (.directory, "\(path) is a directory, not a file")
            }
            if access(path, R_OK | W_OK) != 0 {
                return (.permission, denial(errno, for: path, verb: "read and write"))
            }
        }
        return nil
    }

    /// The advice for a failed `access(2)`.
    private static func denial(_ code: Int32, for path: String, verb: String) -> String {
        if code == EROFS {
            return "\(path) is on a read-only file system; under systemd, give junkwatch "
                + "StateDirectory= or list the directory in ReadWritePaths="
        }
        return "permission denied: the user running junkwatch cannot \(verb) \(path)"
    }

    /// The directory part of a file path: `.` when there is none.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }
}
