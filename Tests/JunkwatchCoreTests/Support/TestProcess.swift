import Foundation

@testable import JunkwatchCore

/// Runs a helper program for a test (the testbed's IMAP driver, redis-cli, curl, its rspamd
/// scripts) with an argument vector, and collects its output.
///
/// Built on junkwatch's own ``ChildProcess`` (swift-subprocess), not Foundation's `Process`:
/// with both in one test process, `Process.waitUntilExit()` was seen to wait forever for a child
/// that had already exited.
enum TestProcess {
    struct Result {
        var status: Int32
        var output: Data
        var error: String

        var text: String { String(decoding: output, as: UTF8.self) }
    }

    struct Failed: Error, CustomStringConvertible {
        var command: [String]
        var result: Result
        var description: String {
            "\(command.joined(separator: " ")) exited \(result.status): \(result.error)\(result.text)"
        }
    }

    /// Runs `arguments[0]` with the rest as arguments; `input` goes to its standard input.
    static func run(
        _ arguments: [String],
        input: Data? = nil,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(120)
    ) async throws -> Result {
        let process = ChildProcess(
            executable: arguments[0],
            arguments: Array(arguments.dropFirst()),
            environment: environment.mapValues { Optional($0) },
            input: input.map { Array($0) },
            timeout: timeout,
            standardErrorLimit: 64 * 1024
        )
        let report = try await process.run(collecting: BoundedCollector(limit: 256 * 1024 * 1024))
        let status: Int32
        switch report.status {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return Result(
            status: status,
            output: Data(report.output.bytes),
            error: String(decoding: report.standardError, as: UTF8.self)
        )
    }

    /// Like ``run(_:input:environment:timeout:)``, but throws when the program does not exit 0.
    @discardableResult
    static func check(
        _ arguments: [String],
        input: Data? = nil,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(120)
    ) async throws -> Result {
        let result = try await run(arguments, input: input, environment: environment, timeout: timeout)
        guard result.status == 0 else { throw Failed(command: arguments, result: result) }
        return result
    }
}
