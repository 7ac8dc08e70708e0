#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension Ledger {
    /// Creates the state directory with mode 0700, and its missing parents as `mkdir -p` would;
    /// an existing directory is left as it is (systemd's `StateDirectory=` may have made it).
    static func createDirectory(_ directory: String) throws(LedgerError) {
        try createDirectory(directory, mode: 0o700, for: directory)
    }

    /// Creates one directory (and its missing parents); an existing one is fine.
    private static func createDirectory(_ path: String, mode: mode_t, for stateDirectory: String) throws(LedgerError) {
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw LedgerError(
                    .directory,
                    path: stateDirectory,
                    action: "cannot create the state directory",
                    problem: "\(path) is not a directory"
                )
            }
            return
        }
        let parent = LedgerError.directory(of: path)
        if parent != path && parent != "." && parent != "/" {
            // Parents get the usual mode: only the state directory itself holds private data.
            try createDirectory(parent, mode: 0o755, for: stateDirectory)
        }
        // EEXIST: another process made it in the meantime, which is as good.
        guard mkdir(path, mode) == 0 || errno == EEXIST else {
            let code = errno
            let reason = String(cString: strerror(code))
            let advice: String
            switch code {
            case EACCES, EPERM:
                advice = "the user running junkwatch may not create it; create it as root and give it to that user"
            case EROFS:
                advice = "the file system is read-only; under systemd, use StateDirectory= or ReadWritePaths="
            default:
                advice = "set [state] directory to a place junkwatch can write"
            }
            throw LedgerError(
                .directory,
                path: stateDirectory,
                action: "cannot create the state directory",
                problem: path == stateDirectory ? "\(reason) (\(advice))" : "\(path): \(reason) (\(advice))"
            )
        }
    }

    /// Creates an empty database file readable by its owner only, when there is none; SQLite
    /// takes an empty file for an empty database, and gives its -wal and -shm files the same mode.
    /// Names and message identities are nobody else's business, even in a directory that others
    /// may enter. Failures are left for SQLite to report, in its words and with advice.
    static func createPrivateFile(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            close(descriptor)
        }
    }
}
