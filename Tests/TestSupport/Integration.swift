import Foundation
public import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Gates for tests that need a real tool or server.
///
/// Such a test is skipped on a machine without the tool, unless `JUNKWATCH_REQUIRE_INTEGRATION=1`
/// (what CI sets): then it runs anyway and fails, because a skip in CI proves nothing.
public enum Integration {
    /// Whether the environment asks for integration tests to fail rather than skip.
    public static var required: Bool {
        ProcessInfo.processInfo.environment["JUNKWATCH_REQUIRE_INTEGRATION"] == "1"
    }

    /// journald's native socket; libsystemd's writer always sends there.
    public static let journaldSocket = "/run/systemd/journal/socket"

    /// Whether a journald listens: a datagram socket connects to its socket. (The file alone
    /// proves nothing: it stays behind when journald stops.)
    public static var journaldRuns: Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return withUnixSocketAddress(journaldSocket) { connect(descriptor, $0, $1) == 0 }
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when journald listens on its socket, or when CI requires it.
    public static var needsJournald: Self {
        .enabled(if: Integration.required || Integration.journaldRuns, "needs a running systemd-journald")
    }
}
