import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells the service manager about the service's state through `sd_notify`.
///
/// Without `NOTIFY_SOCKET` in the environment (run by hand, or not `Type=notify`) every call is
/// a no-op, as libsystemd itself makes it.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Whether a service manager listens (`NOTIFY_SOCKET` is set).
    public var isListening: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// The watchdog interval the service manager expects pings within, or `nil` when no
    /// watchdog is set for this process.
    public var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(clamping: usec))
    }

    /// Start-up is finished: `READY=1`, with an optional status line.
    public func ready(status: String? = nil) {
        send(["READY=1"] + (status.map { ["STATUS=\(Self.oneLine($0))"] } ?? []))
    }

    /// A free-form status line, shown by `systemctl status`.
    public func status(_ text: String) {
        send(["STATUS=\(Self.oneLine(text))"])
    }

    /// Still alive: `WATCHDOG=1`.
    public func watchdog() {
        send(["WATCHDOG=1"])
    }

    /// Reloading configuration: `RELOADING=1`; call `ready()` when done.
    public func reloading() {
        send(["RELOADING=1"])
    }

    /// Shutting down: `STOPPING=1`.
    public func stopping(status: String? = nil) {
        send(["STOPPING=1"] + (status.map { ["STATUS=\(Self.oneLine($0))"] } ?? []))
    }

    /// Sends `assignments` (`NAME=value`) as one notification; returns whether it was delivered.
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        sd_notify(0, assignments.joined(separator: "\n")) > 0
    }

    /// A notification is newline-separated: a newline inside a status would start a new assignment.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
