public import SystemdJournal

/// Where `replay` and `test-filter` read entries or lines from.
public enum JournalInput: Sendable, Equatable {
    /// A journal read through libsystemd: the local one, a directory, files or a namespace,
    /// from `since` to `until` (microseconds since the epoch, both optional).
    case journal(JournalReader.Source, since: UInt64? = nil, until: UInt64? = nil)
    /// `journalctl -o export` or `-o json` text on a file descriptor (stdin for `-`); `nil`
    /// format means detect it from the first bytes.
    case stream(fileDescriptor: Int32, format: JournalStreamFormat?, since: UInt64? = nil, until: UInt64? = nil)
    /// Plain log lines, one per line, such as `journalctl -o cat` prints or a log file holds.
    case lines(fileDescriptor: Int32)
}

/// One entry or line as the filters saw it.
public struct ScannedLine: Sendable {
    /// What the filters made of it: an event, or why not.
    public var outcome: ParseOutcome
    /// The log line itself, for `test-filter`'s report; only filled when asked for.
    public var line: String?
    /// The entry's wall-clock time, when it came from a journal.
    public var realtime: UInt64?
}
