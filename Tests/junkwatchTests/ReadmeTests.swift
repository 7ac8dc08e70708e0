import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import junkwatch

/// README.md must stay true: the commands it shows work, the files it names exist.
///
/// The rule, as checked here:
/// 1. A junkwatch command is a line in a README code block (a fence with no language, or `sh`,
///    `bash`, `shell`, `console`) with a pipeline segment whose first word (after `sudo`) is
///    `junkwatch` or a path ending in `/junkwatch`. A line ending in `\` continues on the next;
///    `#` starts a comment. Keep those lines to words, quotes and `|`: a junkwatch line with
///    `$`, `;`, `&`, `<`, `>` or backquotes fails, because this test cannot tell what it does.
/// 2. Every junkwatch command parses and validates exactly as shown (`Junkwatch.parseAsRoot`):
///    the subcommand, every option name, every value. (`junkwatch ... --help` would prove nothing:
///    ArgumentParser prints the help before it looks at the other options.)
/// 3. Every junkwatch command that only reads (`test-filter`, `stats`, `replay --dry-run`) also
///    runs, with the arguments shown, against a journal made from real dovecot lines
///    (Tests/JunkwatchCoreTests/Fixtures/testbed-mail-log.export), and exits 0:
///    - `--directory`/`-d` names that journal's directory, `--file` its file;
///    - no journal named (the machine's own journal): `--directory` of that journal is added;
///    - a file argument that does not exist is that journal as lines (`test-filter`) or as
///      `journalctl -o export` text (a stream for `replay`, `stats`);
///    - `--config` naming a file that does not exist is `units/junkwatch.toml.example`;
///    - `journalctl ... | junkwatch ... -` runs that journalctl, with its arguments, on that
///      journal and pipes its output in (`ssh HOST journalctl ...` runs the journalctl here);
///      anything after junkwatch in the pipeline (`| jq ...`) is left out.
///    A command with `--namespace` cannot be pointed at the fixture and is only parsed. Commands
///    that learn, write state or run for ever (`run`, `replay` without `--dry-run`) are only parsed.
/// 4. Every `scripts/NAME` the README names exists and is executable; every other path into the
///    repository it names (`units/...`, `Filters/`, `Sources/...`, `Tests/...`, `.ci/...`) exists.
@Suite("README.md")
struct ReadmeTests {
    static let repository = CommandLineTests.repository
    static let readme = repository.appendingPathComponent("README.md")
    static let exampleConfiguration = repository.appendingPathComponent("units/junkwatch.toml.example").path

    /// A junkwatch command line shown in the README.
    struct Shown: Sendable, CustomTestStringConvertible {
        /// Where: the line number in README.md.
        var line: Int
        /// The line as written (continuations joined).
        var text: String
        /// The pipeline segments before junkwatch's, as words.
        var upstream: [[String]]
        /// junkwatch's arguments, without the program.
        var arguments: [String]
        /// Why the line could not be read as words, if it could not.
        var problem: String?

        var testDescription: String { "README.md:\(line): \(text)" }
    }

    // MARK: Reading the README

    /// The README's code block lines that hold a junkwatch command.
    static func shownCommands() throws -> [Shown] {
        let text = try String(contentsOf: readme, encoding: .utf8)
        var shown: [Shown] = []
        var fence: String?
        var pending: (line: Int, text: String)?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                fence = fence == nil ? String(trimmed.dropFirst(3)).trimmingCharacters(in: .whitespaces) : nil
                pending = nil
                continue
            }
            guard let language = fence, ["", "sh", "bash", "shell", "console"].contains(language) else { continue }
            var command = trimmed
            if language == "console", command.hasPrefix("$ ") || command.hasPrefix("# ") {
                command = String(command.dropFirst(2))
            }
            if let previous = pending { command = previous.text + " " + command }
            let number = pending?.line ?? index + 1
            if command.hasSuffix("\\") {
                pending = (number, String(command.dropLast()))
                continue
            }
            pending = nil
            if let found = junkwatchCommand(command, line: number) { shown.append(found) }
        }
        return shown
    }

    /// `text` as a junkwatch command, or nil when no segment of it runs junkwatch.
    static func junkwatchCommand(_ text: String, line: Int) -> Shown? {
        let segments: [[String]]
        switch words(text) {
        case .success(let words):
            segments = words.split(separator: "|", omittingEmptySubsequences: false).map(Array.init)
        case .failure(let problem):
            // Only a problem when the line runs junkwatch.
            let mentions = text.split(whereSeparator: { $0 == " " || $0 == "|" }).contains {
                $0 == "junkwatch" || $0.hasSuffix("/junkwatch")
            }
            return mentions ? Shown(line: line, text: text, upstream: [], arguments: [], problem: problem.text) : nil
        }
        for (index, segment) in segments.enumerated() {
            var words = segment[...]
            if words.first == "sudo" { words = words.dropFirst() }
            guard let program = words.first, program == "junkwatch" || program.hasSuffix("/junkwatch") else { continue }
            return Shown(
                line: line,
                text: text,
                upstream: Array(segments[..<index]),
                arguments: Array(words.dropFirst())
            )
        }
        return nil
    }

    struct ReadmeProblem: Error {
        var text: String
    }

    /// Shell words of `text`: quotes and backslashes resolved, `|` a word of its own, a comment cut off.
    static func words(_ text: String) -> Result<[String], ReadmeProblem> {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        func flush() {
            if inWord { words.append(current) }
            current = ""
            inWord = false
        }
        scan: for character in text {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if open == "\"" && (character == "$" || character == "`") {
                    return .failure(ReadmeProblem(text: "\(character) inside double quotes"))
                } else if open == "\"" && character == "\\" {
                    escaped = true
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "\\":
                escaped = true
                inWord = true
            case "'", "\"":
                quote = character
                inWord = true
            case " ", "\t":
                flush()
            case "#" where !inWord:
                break scan
            case "|":
                flush()
                words.append("|")
            case "$", ";", "&", "<", ">", "`", "(", ")":
                return .failure(ReadmeProblem(text: "shell syntax \(character)"))
            default:
                current.append(character)
                inWord = true
            }
        }
        if quote != nil || escaped { return .failure(ReadmeProblem(text: "an unfinished quote or escape")) }
        flush()
        return .success(words)
    }

    /// The shown commands, or one that fails when the README cannot be read.
    static var cases: [Shown] {
        do {
            return try shownCommands()
        } catch {
            return [Shown(line: 0, text: "README.md", upstream: [], arguments: [], problem: "\(error)")]
        }
    }

    /// The shown commands that only read: those that test 3 runs.
    static var readingCases: [Shown] {
        cases.filter { shown in
            guard shown.problem == nil, let command = try? Junkwatch.parseAsRoot(shown.arguments) else { return false }
            switch command {
            case let replay as ReplayCommand: return replay.dryRun && replay.input.namespace == nil
            case let stats as StatsCommand: return stats.input.namespace == nil
            case let filter as TestFilterCommand: return filter.input.namespace == nil
            default: return false
            }
        }
    }

    // MARK: Tests

    @Test("README.md shows junkwatch commands, and each one is found")
    func found() throws {
        let shown = try Self.shownCommands()
        // The README's "Try it" section shows test-filter and replay; fewer means the reader broke.
        #expect(shown.count >= 5, "\(shown.map(\.text))")
        #expect(shown.contains { $0.arguments.first == "test-filter" && $0.upstream.first?.first == "journalctl" })
        #expect(shown.contains { $0.arguments.first == "replay" })
    }

    @Test("the command reader takes words, quotes, pipes and comments as a shell does")
    func reader() throws {
        let found = try #require(
            Self.junkwatchCommand(
                #"ssh mx2 journalctl -o export | sudo junkwatch stats --user "carol o'neil" - | jq .totals # why"#,
                line: 1
            )
        )
        #expect(found.upstream == [["ssh", "mx2", "journalctl", "-o", "export"]])
        #expect(found.arguments == ["stats", "--user", "carol o'neil", "-"])
        #expect(Self.junkwatchCommand("swift build -c release   # .build/release/junkwatch", line: 1) == nil)
        #expect(Self.junkwatchCommand(#"junkwatch stats --user "$USER""#, line: 1)?.problem != nil)
        #expect(Self.junkwatchCommand("junkwatch stats > out.txt", line: 1)?.problem != nil)
    }

    @Test("every junkwatch command in README.md parses as shown", arguments: ReadmeTests.cases)
    func parses(_ shown: Shown) throws {
        if let problem = shown.problem {
            Issue.record("cannot read this line (\(problem)): keep README's junkwatch lines to words, quotes and |")
            return
        }
        do {
            _ = try Junkwatch.parseAsRoot(shown.arguments)
        } catch {
            // --help and --version end parsing cleanly; anything else is a mistake in the README.
            if Junkwatch.exitCode(for: error) != .success {
                Issue.record("junkwatch \(shown.arguments.joined(separator: " ")): \(Junkwatch.fullMessage(for: error))")
            }
        }
    }

    @Test(
        "every junkwatch command in README.md that only reads runs on a real journal and exits 0",
        .requiresJournalRemote,
        arguments: ReadmeTests.readingCases
    )
    func runs(_ shown: Shown) async throws {
        let capture = CommandLineTests.capture
        let directory = try await JournalFixture.make(exportText: Array(try Data(contentsOf: URL(fileURLWithPath: capture))))
        defer { JournalFixture.cleanUp(directory) }
        let journalFile = URL(fileURLWithPath: directory).appendingPathComponent("fixture.journal").path
        let lines = directory + ".lines"
        try await Self.journalctl(["--directory", directory, "-o", "cat"], to: lines)
        defer { try? FileManager.default.removeItem(atPath: lines) }

        let command = try Junkwatch.parseAsRoot(shown.arguments)
        let input: InputOptions
        let positional: String?
        var positionalIsLines = false
        switch command {
        case let replay as ReplayCommand: (input, positional) = (replay.input, replay.stream)
        case let stats as StatsCommand: (input, positional) = (stats.input, stats.stream)
        case let filter as TestFilterCommand:
            (input, positional) = (filter.input, filter.lines)
            positionalIsLines = filter.input.inputFormat == .auto
        default:
            Issue.record("not a reading command")
            return
        }

        var arguments: [String] = []
        var words = shown.arguments[...]
        while let word = words.popFirst() {
            let (name, inline) = Self.option(word)
            switch name {
            case "--directory", "-d", "--file", "--config":
                let value = inline ?? words.popFirst() ?? ""
                let replaced =
                    switch name {
                    case "--file": journalFile
                    case "--config": FileManager.default.fileExists(atPath: value) ? value : Self.exampleConfiguration
                    default: directory
                    }
                arguments += [name, replaced]
            default:
                arguments.append(word)
            }
        }
        if let positional, positional != "-", !FileManager.default.fileExists(atPath: positional),
            let index = arguments.lastIndex(of: positional)
        {
            arguments[index] = positionalIsLines ? lines : capture
        }
        if positional == nil && input.directory == nil && input.files.isEmpty {
            arguments += ["--directory", directory]
        }

        var stdin: String?
        if positional == "-" {
            guard var upstream = shown.upstream.last else {
                Issue.record("junkwatch reads standard input here, but nothing in the line feeds it")
                return
            }
            if upstream.first == "ssh", upstream.count > 2 { upstream.removeFirst(2) }
            guard upstream.first == "journalctl" else {
                Issue.record("\(upstream.joined(separator: " ")) feeds junkwatch: ReadmeTests knows only journalctl")
                return
            }
            let fed = directory + ".stdin"
            try await Self.journalctl(["--directory", directory] + upstream.dropFirst(), to: fed)
            stdin = fed
        }
        defer { if let stdin { try? FileManager.default.removeItem(atPath: stdin) } }

        let run = try await CommandLineTests.run(arguments, stdin: stdin)
        #expect(run.status == 0, "junkwatch \(arguments.joined(separator: " ")): \(run.error)")
        #expect(!(run.output + run.error).isEmpty, "junkwatch \(arguments.joined(separator: " ")) printed nothing")
    }

    @Test("every scripts/ program README.md names is executable; every repository path it names exists")
    func paths() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        // A path into the repository: at a word's start (not inside /etc/junkwatch/filters.d/).
        let pattern = try Regex(#"(?:^|[\s`(|])((?:scripts|units|Filters|Sources|Tests|\.ci)(?:/[A-Za-z0-9._/-]*)?)"#)
        var named: Set<String> = []
        for match in text.matches(of: pattern) {
            if let path = match.output[1].substring { named.insert(String(path)) }
        }
        #expect(named.contains("scripts/demo"), "the README names scripts/demo, the first command to run")
        #expect(named.contains("scripts/test"), "the README names scripts/test, the test command")
        for path in named.sorted() {
            // Trailing punctuation of a sentence is not part of the path.
            var path = path
            while let last = path.last, last == "." { path.removeLast() }
            let full = Self.repository.appendingPathComponent(path).path
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
            #expect(exists, "README.md names \(path), which does not exist")
            if path.hasPrefix("scripts/"), exists, !isDirectory.boolValue {
                #expect(FileManager.default.isExecutableFile(atPath: full), "README.md names \(path), which is not executable")
            }
        }
    }

    // MARK: Helpers

    /// `--name=value` as ("--name", "value"); anything else as (word, nil).
    static func option(_ word: String) -> (String, String?) {
        guard word.hasPrefix("--"), let equals = word.firstIndex(of: "=") else { return (word, nil) }
        return (String(word[..<equals]), String(word[word.index(after: equals)...]))
    }

    /// Runs journalctl with `arguments`, its output into the file at `path`.
    static func journalctl(_ arguments: [String], to path: String) async throws {
        let result = try await Program.run(["journalctl", "--no-pager"] + arguments)
        guard result.status == 0 else {
            throw ReadmeProblem(text: "journalctl \(arguments.joined(separator: " ")) failed: \(result.error)")
        }
        try Data(result.bytes).write(to: URL(fileURLWithPath: path))
    }
}
