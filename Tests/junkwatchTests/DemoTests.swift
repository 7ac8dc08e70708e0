import Foundation
import Subprocess
import TestSupport
import Testing

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// `scripts/demo`, the first command README.md gives, run end to end as a new user would, with
/// the junkwatch this test run built (`--binary`: the demo does not rebuild under a running
/// `swift test`). It starts a testbed of its own, so it needs root and the testbed's Debian
/// packages; it does not need the testbed `scripts/test` started.
@Suite("scripts/demo", .serialized, .needsDemoMachine)
struct DemoTests {
    static let script = CommandLineTests.repository.appendingPathComponent("scripts/demo").path

    /// The demo's output (standard error folded in) and exit status.
    struct Demo {
        var status: Int32
        var lines: [String]
        var text: String { lines.joined(separator: "\n") }

        /// The first capture of `pattern` in any line.
        func first(_ pattern: String) -> String? {
            guard let regex = try? Regex(pattern) else { return nil }
            for line in lines {
                if let match = line.firstMatch(of: regex), let value = match.output[1].substring { return String(value) }
            }
            return nil
        }

        /// The lines of the section whose heading starts with `heading`, up to the next heading.
        func section(_ heading: String) -> [String] {
            guard let start = lines.firstIndex(where: { $0.hasPrefix("==> " + heading) }) else { return [] }
            let rest = lines[(start + 1)...]
            let end = rest.firstIndex(where: { $0.hasPrefix("==> ") }) ?? rest.endIndex
            return Array(rest[..<end])
        }

        /// The demo's directory, junkwatch's pid, and the testbed's TCP ports, from the output.
        var directory: String? { first(#"^junkwatch demo in (/\S+)$"#) }
        var junkwatchPID: Int32? { first(#"junkwatch run \(pid ([0-9]+)\)"#).flatMap { Int32($0) } }
        var ports: [Int] {
            [#"IMAP 127\.0\.0\.1:([0-9]+)"#, #"controller http://127\.0\.0\.1:([0-9]+)"#, #"^Redis +127\.0\.0\.1:([0-9]+)"#]
                .compactMap { first($0).flatMap { Int($0) } }
        }
    }

    /// Runs the demo in a process group of its own, as a shell runs a job; sends that group
    /// SIGINT, as Ctrl-C in a terminal does, when a line starts with `interruptAt`, or after
    /// `timeout`.
    static func runDemo(interruptAt: String? = nil, timeout: Duration = .seconds(600)) async throws -> Demo {
        var options = PlatformOptions()
        options.processGroupID = 0
        // Should the test itself be cancelled: Ctrl-C, so that the demo's trap stops its testbed.
        options.teardownSequence = [.send(signal: .interrupt, allowedDurationToNextStep: .seconds(60))]
        let result = try await Subprocess.run(
            .path(FilePath(script)),
            arguments: ["--binary", CommandLineTests.program],
            platformOptions: options,
            input: .none,
            output: .sequence,
            error: .combinedWithOutput
        ) { execution in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled else { return }
                    try? execution.send(signal: .interrupt, toProcessGroup: true)
                }
                var lines: [String] = []
                var interrupted = false
                for try await line in execution.standardOutput.strings() {
                    lines.append(line)
                    if let interruptAt, !interrupted, line.hasPrefix(interruptAt) {
                        try execution.send(signal: .interrupt, toProcessGroup: true)
                        interrupted = true
                    }
                }
                group.cancelAll()
                return lines
            }
        }
        return Demo(status: result.terminationStatus.exitStatus, lines: result.closureResult)
    }

    /// Nothing the demo started still runs: not its junkwatch, no process whose command line
    /// names its directory (dovecot, rspamd, Redis), nothing listening on its ports; and its
    /// directory is gone.
    static func expectNothingLeft(_ demo: Demo) throws {
        let directory = try #require(demo.directory, "no directory in:\n\(demo.text)")
        let pid = try #require(demo.junkwatchPID, "no junkwatch pid in:\n\(demo.text)")
        let ports = demo.ports
        #expect(ports.count == 3, "ports of dovecot, rspamd and Redis in:\n\(demo.text)")
        #expect(!FileManager.default.fileExists(atPath: directory), "\(directory) is still there")
        let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
        #expect(!command.contains("junkwatch"), "junkwatch (pid \(pid)) still runs")
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int32(entry) != nil {
            guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let line = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            #expect(!line.contains(directory), "pid \(entry) still runs: \(line)")
        }
        let listening = try listeningPorts()
        for port in ports { #expect(!listening.contains(port), "something still listens on 127.0.0.1:\(port)") }
    }

    /// TCP ports in LISTEN state, from /proc/net/tcp.
    static func listeningPorts() throws -> Set<Int> {
        let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        var ports: Set<Int> = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":"),
                let port = Int(fields[1][fields[1].index(after: colon)...], radix: 16)
            else { continue }
            ports.insert(port)
        }
        return ports
    }

    @Test("the demo learns from two users' moves, shows records, stats and Redis counters, and stops it all")
    func demo() async throws {
        let demo = try await Self.runDemo()
        #expect(demo.status == 0, "\(demo.text)")

        // The records: one per teaching action and learner; Junk -> Trash teaches nothing.
        let records = demo.section("What junkwatch wrote to the journal").filter { $0.hasPrefix("  ") && $0.contains(";") }
        let actions: [(user: String, id: String, verdict: String)] = [
            ("alice@example.com", "alice-2.demo", "spam"),
            ("alice@example.com", "alice-3.demo", "spam"),
            ("alice@example.com", "alice-4.demo", "ham"),
            ("alice@example.com", "alice-6.demo", "spam"),
            ("carol.o'neil+tag@example.org", "carol-1.demo", "spam"),
            ("carol.o'neil+tag@example.org", "carol-2.demo", "ham"),
        ]
        #expect(records.count == actions.count * 2, "\(demo.text)")
        for action in actions {
            for learner in ["rspamd-bayes", "rspamd-fuzzy"] {
                #expect(
                    records.contains {
                        $0.hasPrefix("  \(action.user): \(action.verdict), ") && $0.contains("<\(action.id)>")
                            && $0.contains("; learned by \(learner) after ")
                    },
                    "no record of \(learner) learning \(action.id) as \(action.verdict) in:\n\(records.joined(separator: "\n"))"
                )
            }
        }
        #expect(!records.contains { $0.contains("<alice-5.demo>") }, "Junk -> Trash was learned")

        // stats: learned per user and verdict, every record counted, none failed.
        let stats = demo.section("junkwatch stats").map(tableCells)
        #expect(stats.contains { $0.starts(with: ["alice@example.com", "spam", "6", "0", "0", "0", "0"]) }, "\(demo.text)")
        #expect(stats.contains { $0.starts(with: ["alice@example.com", "ham", "2", "0", "0", "0", "0"]) }, "\(demo.text)")
        for verdict in ["spam", "ham"] {
            #expect(
                stats.contains { $0.starts(with: ["carol.o'neil+tag@example.org", verdict, "2", "0", "0", "0", "0"]) },
                "\(demo.text)"
            )
        }

        // Redis: rspamd's per-user Bayes counters went up for both users.
        let redis = demo.section("What rspamd learned")
        for user in ["alice@example.com", "carol.o'neil+tag@example.org"] {
            let line = try #require(redis.first { $0.hasPrefix("  \(user) ") }, "\(demo.text)")
            let words = line.split(separator: " ")
            for counter in ["learns_spam", "learns_ham"] {
                let value = words.firstIndex(of: Substring(counter)).flatMap { words.indices.contains($0 + 1) ? Int(words[$0 + 1]) : nil }
                #expect((value ?? 0) > 0, "\(counter) of \(user): \(line)")
            }
        }
        #expect(demo.lines.contains { $0.hasPrefix("stopped junkwatch and the testbed; removed ") }, "\(demo.text)")
        try Self.expectNothingLeft(demo)
    }

    @Test("Ctrl-C while the users sort their mail stops junkwatch and the testbed")
    func interrupted() async throws {
        let demo = try await Self.runDemo(interruptAt: "==> Mail arrives")
        #expect(demo.status != 0, "\(demo.text)")
        #expect(demo.lines.contains { $0.contains("interrupted") }, "\(demo.text)")
        #expect(demo.section("What junkwatch wrote").isEmpty, "the demo went on after Ctrl-C:\n\(demo.text)")
        try Self.expectNothingLeft(demo)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test as root with dovecot, rspamd and Redis installed, or when CI requires it
    /// (and then fails where they are missing).
    static var needsDemoMachine: Self {
        .enabled(
            if: Integration.required
                || (getuid() == 0
                    && ["/usr/sbin/dovecot", "/usr/bin/rspamd", "/usr/bin/redis-server"].allSatisfy {
                        FileManager.default.isExecutableFile(atPath: $0)
                    }),
            "needs root and the testbed's packages (scripts/install-deps)"
        )
    }
}
