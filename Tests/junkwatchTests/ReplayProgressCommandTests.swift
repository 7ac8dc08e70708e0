import Foundation
import Subprocess
import TestSupport
import Testing

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `junkwatch replay`'s progress line and summary table: drawn on a terminal (a pseudo-terminal
/// here), left out in a pipe; records stay on standard output either way.
@Suite("junkwatch replay progress and summary")
struct ReplayProgressCommandTests {
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    /// The capture's last entry is at 1795226637.39: a --until just after it gives the bar an end.
    static let until = "@1795226640"

    /// The capture as two halves, split between entries.
    static func halves() throws -> ([UInt8], [UInt8]) {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: CommandLineTests.capture)))
        var split = bytes.count / 2
        while !(bytes[split - 2] == 0x0A && bytes[split - 1] == 0x0A) { split += 1 }
        return (Array(bytes[..<split]), Array(bytes[split...]))
    }

    /// Runs junkwatch with standard error on a pseudo-terminal 120 columns wide, and the capture
    /// on standard input in two halves: the second goes once the progress line has shown the
    /// first (or after 30 s), and a pause more, so that the line is seen part way.
    static func runOnTerminal(_ arguments: [String]) async throws -> Run {
        signal(SIGPIPE, SIG_IGN)
        let terminal = try PseudoTerminal(columns: 120)
        var ends: [Int32] = [0, 0]
        guard Glibc.pipe(&ends) == 0 else { throw PseudoTerminal.Failure(description: "pipe failed") }
        // Only the child's standard input may stay open in it: a writing end it inherited would
        // keep its input from ever ending.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let (first, second) = try halves()
        let writer = ends[1]
        Thread {
            func send(_ bytes: [UInt8]) {
                var rest = bytes[...]
                while !rest.isEmpty {
                    let count = rest.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
                    guard count > 0 else { return }
                    rest = rest.dropFirst(count)
                }
            }
            send(first)
            _ = terminal.wait(upTo: .seconds(30)) { !partial(redraws($0)).isEmpty }
            Thread.sleep(forTimeInterval: 0.6)
            send(second)
            close(writer)
        }.start()
        let result = try await Subprocess.run(
            .path(FilePath(CommandLineTests.program)),
            arguments: Arguments(arguments),
            environment: .inherit.updating(["TERM": "xterm"]),
            input: .fileDescriptor(FileDescriptor(rawValue: ends[0]), closeAfterSpawningProcess: true),
            output: .string(limit: 1 << 20),
            error: .fileDescriptor(FileDescriptor(rawValue: terminal.terminal), closeAfterSpawningProcess: true)
        )
        return Run(
            status: result.terminationStatus.exitStatus,
            output: result.standardOutput,
            error: await terminal.output()
        )
    }

    /// The progress lines drawn: the text after each `\r`, up to the next one.
    static func redraws(_ text: String) -> [Substring] {
        text.split(separator: "\r", omittingEmptySubsequences: true).dropFirst(text.hasPrefix("\r") ? 0 : 1)
            .map { $0.prefix { $0 != "\u{1B}" } }.filter { !$0.isEmpty }
    }

    /// The progress lines that show some of the capture's 105 entries read, not all.
    static func partial(_ lines: [Substring]) -> [Substring] {
        lines.filter { line in
            guard
                let count = line.split(separator: " ").first(where: { $0.allSatisfy(\.isNumber) })
                    .flatMap({ Int($0) })
            else { return false }
            return line.contains(" entries") && count > 0 && count < 105
        }
    }

    @Test("on a terminal, a dry run redraws a progress line with an ETA, then clears it for the summary table")
    func terminal() async throws {
        let run = try await Self.runOnTerminal(["replay", "--dry-run", "--until", Self.until, "-"])
        #expect(run.status == 0, "\(run.error)")
        let lines = Self.redraws(run.error)
        #expect(lines.count >= 3, "\(run.error.debugDescription)")
        // While the second half waits, the line shows part of the entries, a bar and an ETA.
        #expect(!Self.partial(lines).isEmpty, "\(lines)")
        for line in lines {
            #expect(line.hasPrefix("["), "\(line)")
            #expect(line.contains("ETA "), "\(line)")
            #expect(line.count < 120, "\(line)")
            #expect(!line.contains("learned"))
        }
        // The line is cleared, then the table and the summary line follow, as lines.
        let tail = try #require(run.error.components(separatedBy: "\r\u{1B}[K").last)
        #expect(tail.contains("\nUSER                    HAM  SPAM\n"), "\(tail.debugDescription)")
        #expect(tail.contains("\nTOTAL                     4     6\n"))
        #expect(tail.hasSuffix("4 ham and 6 spam decisions (dry run)\n"))
        // Standard output holds only the records.
        #expect(run.output.split(separator: "\n").count == 10)
        #expect(!run.output.contains("\r") && !run.output.contains("\u{1B}"))
    }

    @Test("in a pipe there is no progress line: only the summary table and line, on standard error")
    func pipe() async throws {
        let run = try await CommandLineTests.run(
            ["replay", "--dry-run", "--top", "2", "-"],
            stdin: CommandLineTests.capture
        )
        #expect(run.status == 0, "\(run.error)")
        #expect(!run.error.contains("\r") && !run.error.contains("\u{1B}"), "\(run.error.debugDescription)")
        #expect(!run.error.contains("ETA"))
        let lines = run.error.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "")
        #expect(lines[1] == "USER                    HAM  SPAM")
        #expect(lines.contains { $0.hasPrefix("... ") && $0.hasSuffix("(--top 0 shows every user)") })
        #expect(lines.contains("TOTAL                     4     6"))
        #expect(run.error.hasSuffix("4 ham and 6 spam decisions (dry run)\n"))
        #expect(run.lines.count == 10)
    }

    /// A configuration whose doveadm finds nothing: every decision ends as `gone`, and no
    /// learner is ever asked (nothing listens at the rspamd URL).
    static func goneConfiguration(in directory: URL) throws -> String {
        let doveadm = directory.appendingPathComponent("doveadm")
        try Data("#!/bin/sh\nexit 0\n".utf8).write(to: doveadm)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: doveadm.path)
        let config = directory.appendingPathComponent("junkwatch.toml")
        try Data(
            """
            [doveadm]
            path = "\(doveadm.path)"
            [rspamd]
            url = "http://127.0.0.1:9"
            [state]
            directory = "\(directory.path)/state"
            """.utf8
        ).write(to: config)
        return config.path
    }

    @Test("a replay's table counts each user's records by outcome, and each learner's")
    func outcomes() async throws {
        let directory = try makeTemporaryDirectory("replay")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.goneConfiguration(in: directory)
        let run = try await CommandLineTests.run(["replay", "--config", config, "-"], stdin: CommandLineTests.capture)
        #expect(run.status == 0, "\(run.error)")
        let lines = run.error.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains("USER                    HAM  SPAM  LEARNED  ALREADY-LEARNED  SKIPPED  GONE  FAILED"))
        #expect(lines.contains("TOTAL                     4     6        0                0        0    10       0"))
        #expect(lines.contains("rspamd-bayes                             0                0        0    10       0"))
        #expect(run.error.hasSuffix("10 decisions; 10 gone\n"), "\(run.error)")
        #expect(!run.error.contains("\r"))

        // On a terminal the line counts what was learned too; replaying again learns nothing
        // twice, so a new state directory.
        try FileManager.default.removeItem(atPath: directory.path + "/state")
        let shown = try await Self.runOnTerminal(["replay", "--config", config, "-"])
        #expect(shown.status == 0, "\(shown.error)")
        let redraws = Self.redraws(shown.error)
        #expect(!redraws.isEmpty)
        #expect(redraws.allSatisfy { $0.contains(" learned") && !$0.contains("ETA") })
        #expect(
            shown.error.contains(
                "\nTOTAL                     4     6        0                0        0    10       0\n"
            )
        )
    }

    @Test("--top must not be negative")
    func negativeTop() async throws {
        let run = try await CommandLineTests.run(
            ["replay", "--dry-run", "--top", "-1", "-"],
            stdin: CommandLineTests.capture
        )
        #expect(run.status == 64)
        #expect(run.error.contains("--top must be 0 (every user) or more"))
    }
}
