import Foundation
import Testing

@testable import JunkwatchCore

/// How RspamcLearner builds rspamc's arguments and reads its answers (captured from rspamc 3.4).
@Suite("RspamcLearner (no rspamd)")
struct RspamcLearnerTests {
    let configuration = RspamcLearner.Configuration(
        connect: "127.0.0.1:11334",
        password: .file("/etc/junkwatch/rspamd-password")
    )

    func interpret(
        _ status: ChildProcess.Status,
        _ output: String,
        configuration: RspamcLearner.Configuration? = nil
    ) -> LearnOutcome {
        RspamcLearner.interpret(
            status,
            output: Array(output.utf8),
            standardError: [],
            verdict: .ham,
            deliverTo: "alice@example.com",
            configuration: configuration ?? self.configuration
        )
    }

    @Test("the password file's path goes on the command line, never the password")
    func arguments() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-pw-\(UUID().uuidString)")
        try Data("the-password\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let learner = RspamcLearner(
            configuration: .init(
                connect: "127.0.0.1:11334",
                password: .file(file.path),
                bulk: true,
                timeout: .seconds(10)
            )
        )
        let arguments = try learner.arguments(for: .spam, user: "-x$(reboot)@example.com")
        #expect(
            arguments == [
                "-j", "--connect=127.0.0.1:11334", "--password=\(file.path)", "--timeout=10",
                "--deliver=-x$(reboot)@example.com", "--header=Learn-Type: bulk", "learn_spam",
            ]
        )
        #expect(!arguments.joined().contains("the-password"))
    }

    @Test("a password file rspamc could not open is refused before rspamc sends its path as the password")
    func unreadablePassword() {
        let learner = RspamcLearner(configuration: .init(password: .file("/nonexistent/pw")))
        #expect(throws: StageError.self) { try learner.arguments(for: .ham, user: "alice@example.com") }
        let relative = RspamcLearner(configuration: .init(password: .file("pw")))
        #expect(throws: StageError.self) { try relative.arguments(for: .ham, user: "alice@example.com") }
    }

    @Test("a user with a line break cannot smuggle a header in")
    func headerInjection() {
        let learner = RspamcLearner()
        #expect(throws: StageError.self) { try learner.arguments(for: .ham, user: "alice\r\nPassword: x") }
    }

    @Test("exit 0 with success, already learned, too few tokens")
    func answers() {
        #expect(interpret(.exited(0), #"{"success": true, "filename": "stdin", "scan_time": 0.0}"#).outcome == .learned)
        let again = interpret(
            .exited(0),
            #"{"error": "<rc1@test> has been already learned as ham, ignore it", "filename": "stdin"}"#
        )
        #expect(again == .alreadyLearned(detail: "<rc1@test> has been already learned as ham, ignore it"))
        let short = interpret(
            .exited(0),
            #"{"error": "<s@test> contains less tokens than required for bayes classifier: 3 < 11", "#
                + #""filename": "stdin"}"#
        )
        #expect(short.outcome == .skipped)
    }

    @Test(
        "exit 1: what rspamc printed decides the kind",
        arguments: [
            ("HTTP error: 401, Unauthorized\n{\"error\":\"Unauthorized\"}\n", StageError.Kind.configuration),
            ("HTTP error: 500, invalid command\n{\"error\":\"invalid command\"}\n", .configuration),
            ("HTTP error: 503, Service Unavailable\n", .transient),
            ("HTTP error: 400, Empty body is not permitted\n", .permanent),
            ("IO write error: Connection refused\n", .transient),
        ]
    )
    func failures(output: String, kind: StageError.Kind) {
        guard case .failed(let error) = interpret(.exited(1), output) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.kind == kind)
    }

    @Test("a 401 names the password file to fix")
    func wrongPassword() {
        guard case .failed(let error) = interpret(.exited(1), "HTTP error: 401, Unauthorized\n") else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.message.contains("/etc/junkwatch/rspamd-password"))
    }

    @Test("a 401 without a password configured says none is, as over HTTP")
    func noPassword() throws {
        let output = "HTTP error: 401, Unauthorized\n{\"error\":\"Unauthorized\"}\n"
        let outcome = interpret(.exited(1), output, configuration: .init(connect: "127.0.0.1:11334"))
        guard case .failed(let error) = outcome else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.kind == .configuration)
        #expect(
            error.message
                == "rspamd wants a controller password (HTTP 401: Unauthorized) and none is configured: "
                + "set the rspamd password file, or list junkwatch's address in the controller's secure_ip"
        )
        let overHTTP = RspamdController.statusError(
            401,
            errorText: "Unauthorized",
            path: "/learnham",
            url: "127.0.0.1:11334",
            password: .none
        )
        #expect(error == overHTTP)
    }

    @Test(
        "the normal worker or a wrong path points at the rspamd URL setting",
        arguments: [
            ("HTTP error: 404, Not Found\n", "rspamd at 127.0.0.1:11334 has no /learnham (HTTP 404: Not Found): "),
            (
                "HTTP error: 500, invalid command\n{\"error\":\"invalid command\"}\n",
                "rspamd at 127.0.0.1:11334 does not know /learnham (HTTP 500 invalid command): "
            ),
        ]
    )
    func wrongWorker(output: String, start: String) {
        guard case .failed(let error) = interpret(.exited(1), output) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.kind == .configuration)
        #expect(error.message.hasPrefix(start))
        #expect(error.message.contains("the rspamd URL setting"))
        #expect(!error.message.contains("connect setting"))
    }

    @Test("rspamc's HTTP error line: status and reason")
    func httpError() {
        let parsed = RspamcLearner.httpError(in: "HTTP error: 500, invalid command\n{\"error\":\"invalid command\"}\n")
        #expect(parsed?.status == 500)
        #expect(parsed?.reason == "invalid command")
        #expect(RspamcLearner.httpError(in: "IO write error: Connection refused\n") == nil)
    }
}
