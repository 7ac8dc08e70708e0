import Foundation
public import Testing

/// Real journal files made from export format text by `systemd-journal-remote`, for tests that
/// need what libsystemd and journalctl really do.
///
/// Gate such tests with `.requiresJournalRemote`: they are skipped where the tool is missing,
/// unless `JUNKWATCH_REQUIRE_INTEGRATION=1` is set, in which case they run and fail.
public enum JournalFixture {
    /// Where Debian's `systemd-journal-remote` package installs the tool.
    public static let journalRemotePath = "/lib/systemd/systemd-journal-remote"

    /// Whether `systemd-journal-remote` is installed.
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: journalRemotePath)
    }

    /// Why a fixture could not be made.
    public struct FixtureError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `exportText` into a new journal file in a new temporary directory and returns the directory's path.
    ///
    /// Entries need `__REALTIME_TIMESTAMP`; `__MONOTONIC_TIMESTAMP` should grow within one `_BOOT_ID`.
    /// Remove the directory with `cleanUp(_:)`.
    /// - Throws: `FixtureError` when the tool is missing or rejects the text.
    public static func make(exportText: [UInt8]) async throws -> String {
        guard isAvailable else {
            throw FixtureError(
                description: "\(journalRemotePath) is missing (install the systemd-journal-remote package)"
            )
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("junkwatch-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            try await append(exportText: exportText, to: directory.path, file: "fixture")
        } catch {
            cleanUp(directory.path)
            throw error
        }
        return directory.path
    }

    /// Writes `exportText` into a new journal file `FILE.journal` in `directory`, as a second
    /// batch for a reader that follows the directory.
    /// - Throws: `FixtureError` when the tool is missing or rejects the text.
    public static func append(exportText: [UInt8], to directory: String, file: String) async throws {
        let directoryURL = URL(fileURLWithPath: directory)
        // The input sits next to the directory, not in it: only the journal belongs there.
        let input = directoryURL.appendingPathExtension("\(file).export")
        try Data(exportText).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        // systemd-journal-remote insists on an output name ending in .journal.
        let output = directoryURL.appendingPathComponent("\(file).journal").path
        let result = try await Program.run([journalRemotePath, "-o", output, input.path])
        guard result.status == 0 else {
            throw FixtureError(
                description: "systemd-journal-remote exited with \(result.status): \(result.error)"
            )
        }
    }

    /// `make(exportText:)` for text that is all UTF-8.
    public static func make(exportText: String) async throws -> String {
        try await make(exportText: Array(exportText.utf8))
    }

    /// Removes a directory that `make` returned.
    public static func cleanUp(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `journalctl --directory DIRECTORY` with `arguments` and returns its standard output.
    /// - Throws: `FixtureError` when journalctl is missing or fails.
    public static func journalctl(directory: String, _ arguments: [String]) async throws -> [UInt8] {
        guard let path = ["/usr/bin/journalctl", "/bin/journalctl"].first(where: FileManager.default.isExecutableFile)
        else {
            throw FixtureError(description: "journalctl is not installed")
        }
        let result = try await Program.run([path, "--directory", directory] + arguments)
        guard result.status == 0 else {
            throw FixtureError(description: "journalctl \(arguments) exited with \(result.status): \(result.error)")
        }
        return result.bytes
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where `systemd-journal-remote` is installed; with
    /// `JUNKWATCH_REQUIRE_INTEGRATION=1` it always runs, so that a missing tool fails it instead.
    public static var requiresJournalRemote: Self {
        enabled(
            Comment(
                rawValue: "needs \(JournalFixture.journalRemotePath) (package systemd-journal-remote); "
                    + "set JUNKWATCH_REQUIRE_INTEGRATION=1 to fail instead of skipping"
            )
        ) {
            JournalFixture.isAvailable || Integration.required
        }
    }
}
