public import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Where junkwatch's own log goes, and the one call `main` makes to set it up.
public enum JunkwatchLogging {
    /// Where log events are written.
    public enum Destination: Sendable, Hashable {
        /// Structured entries, through `JournalLogHandler`.
        case journal
        /// Lines on standard error, through swift-log's `StreamLogHandler`.
        case standardError
    }

    /// Sets up swift-log for the process: the journal when running under systemd, else
    /// standard error. Call once, before the first `Logger` is made.
    /// - Parameters:
    ///   - level: the lowest level logged.
    ///   - destination: where to; `nil` chooses with `automaticDestination()`.
    public static func bootstrap(level: Logger.Level = .info, destination: Destination? = nil) {
        let chosen = destination ?? automaticDestination()
        LoggingSystem.bootstrap { label in makeHandler(label: label, level: level, destination: chosen) }
    }

    /// A handler for `label` writing to `destination` from `level` up.
    public static func makeHandler(label: String, level: Logger.Level, destination: Destination) -> any LogHandler {
        switch destination {
        case .journal:
            var handler = JournalLogHandler(label: label)
            handler.logLevel = level
            return handler
        case .standardError:
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// The journal when standard error already goes to it (`JOURNAL_STREAM` names stderr's
    /// device and inode, as systemd sets it for `StandardError=journal`) or when running as a
    /// systemd service (`INVOCATION_ID` is set) with journald listening; else standard error.
    public static func automaticDestination() -> Destination {
        var status = stat()
        let standardError: (device: UInt64, inode: UInt64)? =
            fstat(2, &status) == 0 ? (UInt64(status.st_dev), UInt64(status.st_ino)) : nil
        var environment: [String: String] = [:]
        for name in ["JOURNAL_STREAM", "INVOCATION_ID"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return destination(
            environment: environment,
            standardError: standardError,
            journaldListens: access("/run/systemd/journal/socket", F_OK) == 0
        )
    }

    /// The choice `automaticDestination()` makes, from what it looked at.
    /// - Parameters:
    ///   - environment: the process's environment (`JOURNAL_STREAM`, `INVOCATION_ID`).
    ///   - standardError: device and inode of file descriptor 2, when it is open.
    ///   - journaldListens: whether journald's socket is there.
    public static func destination(
        environment: [String: String],
        standardError: (device: UInt64, inode: UInt64)?,
        journaldListens: Bool
    ) -> Destination {
        // systemd's documented test: JOURNAL_STREAM is "DEVICE:INODE" of the stream it connected,
        // and a child whose stderr was redirected elsewhere inherits the variable, so compare.
        if let stream = environment["JOURNAL_STREAM"], let standardError {
            let parts = stream.split(separator: ":")
            if parts.count == 2, UInt64(parts[0]) == standardError.device, UInt64(parts[1]) == standardError.inode {
                return .journal
            }
        }
        if environment["INVOCATION_ID"] != nil && journaldListens { return .journal }
        return .standardError
    }
}
