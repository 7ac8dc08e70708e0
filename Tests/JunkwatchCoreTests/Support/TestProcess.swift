import Foundation

/// Runs a helper program for a test (the testbed's IMAP driver, redis-cli, its rspamd scripts)
/// with an argument vector, and collects its output.
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
        environment: [String: String] = [:]
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    continuation.resume(returning: try runBlocking(arguments, input: input, environment: environment))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Like ``run(_:input:environment:)``, but throws when the program does not exit 0.
    @discardableResult
    static func check(
        _ arguments: [String],
        input: Data? = nil,
        environment: [String: String] = [:]
    ) async throws -> Result {
        let result = try await run(arguments, input: input, environment: environment)
        guard result.status == 0 else { throw Failed(command: arguments, result: result) }
        return result
    }

    private static func runBlocking(_ arguments: [String], input: Data?, environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        // Write and read concurrently so that neither pipe fills up.
        let group = DispatchGroup()
        let errorData = Collected()
        DispatchQueue.global().async(group: group) {
            errorData.data = stderr.fileHandleForReading.readDataToEndOfFile()
        }
        if let input {
            DispatchQueue.global().async(group: group) {
                stdin.fileHandleForWriting.write(input)
                try? stdin.fileHandleForWriting.close()
            }
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: output, error: String(decoding: errorData.data, as: UTF8.self))
    }

    /// Output read on another thread; `DispatchGroup.wait()` orders the write before the read.
    private final class Collected: @unchecked Sendable {
        var data = Data()
    }
}
