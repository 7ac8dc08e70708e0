import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs a program for a test (the `junkwatch` under test, the testbed's IMAP driver, doveadm,
/// redis-cli, curl, sa-learn) with an argument vector, and collects what it printed.
enum Program {
    struct Result: Sendable {
        var status: Int32
        var output: String
        var error: String

        var lines: [Substring] { output.split(separator: "\n") }
    }

    struct Failed: Error, CustomStringConvertible {
        var arguments: [String]
        var result: Result
        var description: String {
            "\(arguments.joined(separator: " ")) exited \(result.status): \(result.error)\(result.output)"
        }
    }

    /// Runs `arguments[0]` with the rest as arguments; `input` goes to its standard input and
    /// `environment` is added to this process's own.
    static func run(
        _ arguments: [String],
        input: [UInt8]? = nil,
        environment: [String: String] = [:]
    ) async throws -> Result {
        var added: [Environment.Key: String?] = [:]
        for (name, value) in environment {
            if let key = Environment.Key(rawValue: name) { added[key] = value }
        }
        let executable = Executable.path(FilePath(arguments[0]))
        let rest = Arguments(Array(arguments.dropFirst()))
        let result =
            if let input {
                try await Subprocess.run(
                    executable,
                    arguments: rest,
                    environment: .inherit.updating(added),
                    input: .array(input),
                    output: .string(limit: 1 << 26),
                    error: .string(limit: 1 << 22)
                )
            } else {
                try await Subprocess.run(
                    executable,
                    arguments: rest,
                    environment: .inherit.updating(added),
                    output: .string(limit: 1 << 26),
                    error: .string(limit: 1 << 22)
                )
            }
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        return Result(status: status, output: result.standardOutput, error: result.standardError)
    }

    /// Like ``run(_:input:environment:)``, but throws unless the program exits 0.
    @discardableResult
    static func check(
        _ arguments: [String],
        input: [UInt8]? = nil,
        environment: [String: String] = [:]
    ) async throws -> Result {
        let result = try await run(arguments, input: input, environment: environment)
        guard result.status == 0 else { throw Failed(arguments: arguments, result: result) }
        return result
    }

    /// ``run(_:input:environment:)`` with text on standard input.
    static func run(_ arguments: [String], input: String, environment: [String: String] = [:]) async throws -> Result {
        try await run(arguments, input: Array(input.utf8), environment: environment)
    }

    /// ``check(_:input:environment:)`` with text on standard input.
    @discardableResult
    static func check(_ arguments: [String], input: String, environment: [String: String] = [:]) async throws -> Result {
        try await check(arguments, input: Array(input.utf8), environment: environment)
    }
}
