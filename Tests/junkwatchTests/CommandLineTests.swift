import Foundation
import TestSupport
import Testing

/// The `junkwatch` program as a user runs it: arguments in, lines and an exit status out.
@Suite("junkwatch command line")
struct CommandLineTests {
    /// The built `junkwatch`, next to this test binary in `.build/<configuration>/`.
    static let program = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("junkwatch").path

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let capture = repository.appendingPathComponent("Tests/JunkwatchCoreTests/Fixtures/testbed-mail-log.export").path

    typealias Run = Program.Result

    /// Runs the built `junkwatch` with `arguments`; standard input from the file at `path`.
    static func run(_ arguments: [String], stdin path: String? = nil) async throws -> Run {
        try await Program.run([program] + arguments, inputFile: path)
    }

    @Test("replay --dry-run --format json prints one record per learnable action, snake_case keys in order",
        .requiresJournalRemote)
    func replayJSON() async throws {
        let directory = try await JournalFixture.make(exportText: Array(try Data(contentsOf: URL(fileURLWithPath: Self.capture))))
        defer { JournalFixture.cleanUp(directory) }
        let run = try await Self.run(["replay", "--dry-run", "--format", "json", "--directory", directory])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.lines.count == 10)
        for line in run.lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in ["user", "verdict", "mailbox", "uid", "msgid", "size", "source_cursor", "source_realtime", "rule"] {
                #expect(object.keys.contains(key), "\(key) missing in \(line)")
            }
            #expect(line.hasPrefix("{\"user\":"))
            #expect(["ham", "spam"].contains(object["verdict"] as? String))
        }
        #expect(
            run.error.split(separator: "\n").last
                == "junkwatch: read 105 entries: 35 mail events, 4 ham and 6 spam decisions (dry run)",
            "\(run.error)"
        )
    }

    @Test("replay reads journalctl -o export on stdin, the same as the journal")
    func replayStdin() async throws {
        let run = try await Self.run(["replay", "--dry-run", "-"], stdin: Self.capture)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.lines.count == 10)
        #expect(run.lines.first?.hasPrefix("alice@example.com: spam, Junk uid 1") == true)
    }

    @Test("test-filter shows rule, fields and verdict per line, then a summary")
    func testFilter() async throws {
        let run = try await Self.run(["test-filter", "--input-format", "export", "-"], stdin: Self.capture)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("dovecot-mail-log/copy imap: user=dave smith@example.net source=Junk mailbox=INBOX"))
        #expect(run.output.contains("Lines: 105 read, 35 matched, 70 unmatched"))
        #expect(run.output.contains("Verdicts: 4 ham, 6 spam, 25 nothing"))
        let json = try await Self.run(["test-filter", "--input-format", "export", "--format", "json", "-"], stdin: Self.capture)
        let summary = try #require(json.lines.last)
        #expect(summary.hasPrefix("{\"summary\":{\"lines\":105,\"matched\":35"))
    }

    /// A usage error exits 64 (EX_USAGE); a replay that cannot run, 1.
    @Test("a user's mistake is one clear line on standard error and a non-zero exit", arguments: [
        (["replay", "--dry-run", "--force", "-"], "--force relearns, --dry-run learns nothing", 64),
        (["replay", "--dry-run", "--since", "someday"], "--since someday: cannot read the time \"someday\"", 64),
        (["replay", "--dry-run", "--until", "someday"], "--until someday: cannot read the time \"someday\"", 64),
        (["replay", "--dry-run", "--since", "today", "--until", "-3d"], "--since today is after --until -3d", 64),
        (["replay", "--dry-run", "--directory", "/nonexistent/journal"], "sd_journal_open_directory(/nonexistent/journal) failed", 1),
        (["replay", "--dry-run", "--config", "/nonexistent/junkwatch.toml"], "/nonexistent/junkwatch.toml", 1),
        (["replay", "--dry-run", "--directory", "/tmp", "--file", "x.journal"], "Choose one of --directory, --file", 64),
        (["replay", "--dry-run", "/nonexistent/stream"], "cannot open the stream /nonexistent/stream: No such file or directory", 1),
    ])
    func mistakes(arguments: [String], message: String, status: Int32) async throws {
        let run = try await Self.run(arguments)
        #expect(run.status == status, "\(run.error)")
        #expect(run.error.contains(message), "\(run.error)")
        #expect(run.output.isEmpty, "\(run.output)")
        #expect(!run.error.contains("Fatal error"))
    }

    @Test("an unknown configuration key names the file and the key")
    func badConfiguration() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-\(UUID()).toml").path
        try Data("[classify]\njunk_mailboxen = [\"Junk\"]\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try await Self.run(["replay", "--dry-run", "--config", path, "-"], stdin: Self.capture)
        #expect(run.status != 0)
        #expect(run.error.contains(path) && run.error.contains("classify.junk_mailboxen"), "\(run.error)")
    }
}
