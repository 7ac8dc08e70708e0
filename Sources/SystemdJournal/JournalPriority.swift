/// An entry's `PRIORITY`: the syslog severity, from `emergency` (0) to `debug` (7).
public enum JournalPriority: Int, Sendable, Hashable {
    /// The system is unusable.
    case emergency = 0
    /// Action must be taken at once.
    case alert = 1
    /// Critical conditions.
    case critical = 2
    /// Error conditions.
    case error = 3
    /// Warning conditions.
    case warning = 4
    /// Normal but significant.
    case notice = 5
    /// Informational.
    case info = 6
    /// Debugging detail.
    case debug = 7

    /// The `PRIORITY=N` field of an entry of this priority.
    public var field: JournalField {
        JournalField(name: "PRIORITY", value: [UInt8(ascii: "0") + UInt8(rawValue)])
    }
}
