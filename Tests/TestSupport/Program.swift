public import Subprocess

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

/// Runs a program for a test (the `junkwatch` under test, the testbed's IMAP driver, doveadm,
/// redis-cli, curl, sa-learn, journalctl) with an argument vector, never a shell, and collects
/// what it printed.
///
/// swift-subprocess rather than Foundation's `Process`: with both in one test binary,
/// `Process.waitUntilExit()` was seen to wait forever for a child that had already exited.
public enum Program {
    /// How a run ended and what it printed.
    public struct Result: Sendable {
        /// The exit status; 128 + N when signal N killed it (``Subprocess/TerminationStatus/exitStatus``).
        public var status: Int32
        /// Standard output as it came.
        public var bytes: [UInt8]
        /// Standard output as UTF-8 text.
        public var output: String
        /// Standard error as UTF-8 text.
        public var error: String

        public init(status: Int32, bytes: [UInt8], error: String) {
            self.status = status
            self.bytes = bytes
            self.output = String(decoding: bytes, as: UTF8.self)
            self.error = error
        }

        /// The non-empty lines of standard output.
        public var lines: [Substring] { output.split(separator: "\n") }
    }

    /// The program did not exit 0.
    public struct Failed: Error, CustomStringConvertible {
        public var arguments: [String]
        public var result: Result

        public init(arguments: [String], result: Result) {
            self.arguments = arguments
            self.result = result
        }

        public var description: String {
            "\(arguments.joined(separator: " ")) exited \(result.status): \(result.error)\(result.output)"
        }
    }

    /// The program ran longer than its timeout; it was ended (SIGTERM, SIGKILL a second later).
    public struct TimedOut: Error, CustomStringConvertible {
        public var arguments: [String]
        public var timeout: Duration

        public var description: String {
            "\(arguments.joined(separator: " ")) still ran after \(timeout) and was ended"
        }
    }

    /// The most a run may print on standard output, and on standard error; more fails the run.
    public static let outputLimit = 1 << 26
    public static let errorLimit = 1 << 24

    /// Runs `arguments[0]` (a path, or a name looked up in `PATH`) with the rest as arguments.
    ///
    /// - Parameters:
    ///   - input: written to standard input, which is then closed; a program that exits without
    ///     reading it all is no error (its status tells why it did).
    ///   - inputFile: a file to read standard input from instead.
    ///   - environment: variables added to (or replacing) this process's own.
    ///   - timeout: a bound against a hang, not a measure: past it the program is ended and
    ///     ``TimedOut`` thrown.
    /// Without `input` or `inputFile` the program reads end-of-file at once.
    public static func run(
        _ arguments: [String],
        input: [UInt8]? = nil,
        inputFile: String? = nil,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(300)
    ) async throws -> Result {
        precondition(input == nil || inputFile == nil, "standard input from bytes or from a file, not both")
        _ = ignoreSIGPIPE
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await spawn(arguments, input: input, inputFile: inputFile, environment: environment) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw TimedOut(arguments: arguments, timeout: timeout)
            }
            return result
        }
    }

    /// Like ``run(_:input:inputFile:environment:timeout:)``, but throws ``Failed`` unless the
    /// program exits 0.
    @discardableResult
    public static func check(
        _ arguments: [String],
        input: [UInt8]? = nil,
        inputFile: String? = nil,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(300)
    ) async throws -> Result {
        let result = try await run(
            arguments,
            input: input,
            inputFile: inputFile,
            environment: environment,
            timeout: timeout
        )
        guard result.status == 0 else { throw Failed(arguments: arguments, result: result) }
        return result
    }

    /// ``run(_:input:inputFile:environment:timeout:)`` with text on standard input.
    public static func run(
        _ arguments: [String],
        input: String,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(300)
    ) async throws -> Result {
        try await run(arguments, input: Array(input.utf8), environment: environment, timeout: timeout)
    }

    /// ``check(_:input:inputFile:environment:timeout:)`` with text on standard input.
    @discardableResult
    public static func check(
        _ arguments: [String],
        input: String,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(300)
    ) async throws -> Result {
        try await check(arguments, input: Array(input.utf8), environment: environment, timeout: timeout)
    }

    /// A write to a child that has exited must fail with EPIPE, not end the test process.
    private static let ignoreSIGPIPE: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    private static func spawn(
        _ arguments: [String],
        input: [UInt8]?,
        inputFile: String?,
        environment: [String: String]
    ) async throws -> Result {
        var overrides: [Environment.Key: String?] = [:]
        for (name, value) in environment {
            overrides[Environment.Key(stringLiteral: name)] = value
        }
        var options = PlatformOptions()
        // On timeout or cancellation: SIGTERM, then SIGKILL after a second.
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(1))]
        let configuration = Configuration(
            executable: arguments[0].contains("/") ? .path(FilePath(arguments[0])) : .name(arguments[0]),
            arguments: Arguments(Array(arguments.dropFirst())),
            environment: overrides.isEmpty ? .inherit : .inherit.updating(overrides),
            platformOptions: options
        )
        let output = BytesOutput.bytes(limit: outputLimit)
        let error = BytesOutput.bytes(limit: errorLimit)
        if let inputFile {
            let file = try FileDescriptor.open(FilePath(inputFile), .readOnly)
            defer { try? file.close() }
            let result = try await Subprocess.run(
                configuration,
                input: .fileDescriptor(file, closeAfterSpawningProcess: false),
                output: output,
                error: error
            )
            return Result(result.terminationStatus, result.standardOutput, result.standardError)
        }
        guard let input else {
            let result = try await Subprocess.run(configuration, input: .none, output: output, error: error)
            return Result(result.terminationStatus, result.standardOutput, result.standardError)
        }
        let result = try await Subprocess.run(configuration, input: .inputWriter, output: output, error: error) {
            execution in
            let writer = execution.standardInputWriter
            // A child that exits without reading its input makes the write fail with EPIPE: its
            // exit status tells why, not this.
            if !input.isEmpty { _ = try? await writer.write(input) }
            try? await writer.finish()
        }
        return Result(result.terminationStatus, result.standardOutput, result.standardError)
    }
}

extension Program.Result {
    fileprivate init(_ status: TerminationStatus, _ output: [UInt8], _ error: [UInt8]) {
        self.init(status: status.exitStatus, bytes: output, error: String(decoding: error, as: UTF8.self))
    }
}

extension TerminationStatus {
    /// The status as a shell reports it: the exit code, or 128 + N when signal N ended the program.
    public var exitStatus: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}
