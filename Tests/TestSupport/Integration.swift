import Foundation
public import Testing

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

    /// Whether a journald listens.
    public static var journaldRuns: Bool { FileManager.default.fileExists(atPath: journaldSocket) }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when journald listens on its socket, or when CI requires it.
    public static var needsJournald: Self {
        .enabled(if: Integration.required || Integration.journaldRuns, "needs a running systemd-journald")
    }
}
