import Foundation
import Testing

/// Gates for tests that need a real tool or server.
///
/// Such a test is skipped on a machine without the tool, unless `JUNKWATCH_REQUIRE_INTEGRATION=1`
/// (what CI sets): then it runs anyway and fails, because a skip in CI proves nothing.
enum Integration {
    static var required: Bool {
        ProcessInfo.processInfo.environment["JUNKWATCH_REQUIRE_INTEGRATION"] == "1"
    }

    static let journaldSocket = "/run/systemd/journal/socket"
    static let journalRemote = "/lib/systemd/systemd-journal-remote"

    static var journaldRuns: Bool { FileManager.default.fileExists(atPath: journaldSocket) }
    static var journalRemoteInstalled: Bool { FileManager.default.isExecutableFile(atPath: journalRemote) }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when journald listens on its socket, or when CI requires it.
    static var needsJournald: Self {
        .enabled(if: Integration.required || Integration.journaldRuns, "needs a running systemd-journald")
    }

    /// Runs the test when systemd-journal-remote is installed, or when CI requires it.
    static var needsJournalRemote: Self {
        .enabled(
            if: Integration.required || Integration.journalRemoteInstalled,
            "needs systemd-journal-remote (apt-get install systemd-journal-remote)"
        )
    }
}
