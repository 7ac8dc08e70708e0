import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs a helper program for a test (doveadm, the testbed's IMAP driver, redis-cli, python3)
/// with an argument vector, and collects what it writes.
enum Program {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    struct Failed: Error, CustomStringConvertible {
        var arguments: [String]
        var result: Result
        var description: String {
            "\(arguments.joined(separator: " ")) exited \(result.status): \(result.error)\(result.output)"
        }
    }

    /// Runs `arguments[0]` with the rest as arguments; `input` goes to its standard input.
    static func run(_ arguments: [String], input: String? = nil) async throws -> Result {
        let executable = FilePath(arguments[0])
        let rest = Arguments(Array(arguments.dropFirst()))
        let result =
            if let input {
                try await Subprocess.run(
                    .path(executable),
                    arguments: rest,
                    input: .string(input),
                    output: .string(limit: 1 << 24),
                    error: .string(limit: 1 << 20)
                )
            } else {
                try await Subprocess.run(
                    .path(executable),
                    arguments: rest,
                    output: .string(limit: 1 << 24),
                    error: .string(limit: 1 << 20)
                )
            }
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        return Result(status: status, output: result.standardOutput, error: result.standardError)
    }

    /// Like ``run(_:input:)``, but throws when the program does not exit 0.
    @discardableResult
    static func check(_ arguments: [String], input: String? = nil) async throws -> Result {
        let result = try await run(arguments, input: input)
        guard result.status == 0 else { throw Failed(arguments: arguments, result: result) }
        return result
    }
}
