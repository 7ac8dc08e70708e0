import Foundation
import Testing

@testable import JunkwatchCore

/// SpamAssassinLearner against a fake sa-learn, and its reading of sa-learn's answers.
@Suite("SpamAssassinLearner (fake sa-learn)")
struct SpamAssassinLearnerTests {
    let locator = MessageLocator(user: "x$(reboot)@example.com", mailbox: "Junk", uid: 1)

    @Test("the message goes to standard input, HOME is junkwatch's, the user only an escaped path")
    func run() async throws {
        let fake = try FakeProgram(
            #"""
            dir=$(dirname "$0")
            for a in "$@"; do printf '%s\n' "$a"; done > "$dir/args"
            printf '%s' "$HOME" > "$dir/home"
            cat > "$dir/stdin"
            echo 'Learned tokens from 1 message(s) (1 message(s) examined)'
            """#
        )
        defer { fake.remove() }
        let path = try SpamAssassinDatabasePath(root: "/db", template: "%d/%l/bayes")
        let learner = SpamAssassinLearner(
            configuration: .init(saLearnPath: fake.path, database: .perUserPath(path), home: "/var/lib/junkwatch")
        )
        let message = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        let outcome = await learner.learn(message, as: .spam, locator: locator, reversal: false)
        #expect(outcome.outcome == .learned)
        let arguments = try String(contentsOfFile: fake.file("args"), encoding: .utf8)
        #expect(arguments == "--spam\n--dbpath=/db/example.com/x%24%28reboot%29/bayes\n--\n-\n")
        #expect(try String(contentsOfFile: fake.file("home"), encoding: .utf8) == "/var/lib/junkwatch")
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: fake.file("stdin")))) == message)
    }

    @Test("-u mode passes the user verbatim as one argument")
    func usernameMode() {
        let learner = SpamAssassinLearner(configuration: .init(database: .username, home: "/tmp"))
        #expect(
            learner.arguments(for: .ham, user: "x$(reboot)@example.com") == [
                "--ham", "--username=x$(reboot)@example.com", "--", "-",
            ]
        )
    }

    @Test("sa-learn's summary line tells learned from already learned")
    func summaries() {
        func outcome(_ text: String, _ status: ChildProcess.Status = .exited(0)) -> LearnOutcome {
            SpamAssassinLearner.interpret(status, output: Array(text.utf8), standardError: [], verdict: .ham)
        }
        #expect(outcome("Learned tokens from 1 message(s) (1 message(s) examined)\n").outcome == .learned)
        #expect(outcome("Learned tokens from 0 message(s) (1 message(s) examined)\n").outcome == .alreadyLearned)
        #expect(outcome("Learned tokens from 0 message(s) (0 message(s) examined)\n").outcome == .skipped)
        #expect(outcome("something else\n").outcome == .failed)
    }

    @Test("a database sa-learn cannot write is a configuration error; other failures are transient")
    func failures() {
        let locked = SpamAssassinLearner.interpret(
            .exited(2),
            output: [],
            standardError: Array(
                "bayes: locker: safe_lock: cannot create tmp lockfile /db/x.lock: Permission denied\n".utf8
            ),
            verdict: .spam
        )
        guard case .failed(let error) = locked else {
            Issue.record("expected a failure, got \(locked)")
            return
        }
        #expect(error.kind == .configuration)
        #expect(error.message.contains("Permission denied"))
        let crashed = SpamAssassinLearner.interpret(.signaled(9), output: [], standardError: [], verdict: .spam)
        guard case .failed(let crash) = crashed else {
            Issue.record("expected a failure")
            return
        }
        #expect(crash.kind == .transient)
    }
}
