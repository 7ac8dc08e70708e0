import Subprocess

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

/// Receives a child's standard output chunk by chunk and decides whether to read on.
///
/// Lets a caller keep memory bounded: a collector that has seen enough returns `false`, and
/// ``ChildProcess`` then ends the child instead of reading the rest.
protocol OutputCollector: Sendable {
    /// Takes one chunk; returns `false` to stop reading.
    mutating func append(_ chunk: UnsafeRawBufferPointer) -> Bool
}

/// Keeps at most `limit` bytes of output, and stops reading past it.
struct BoundedCollector: OutputCollector {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var overflowed = false

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) -> Bool {
        let room = limit - bytes.count
        if chunk.count > room {
            bytes.append(contentsOf: chunk.prefix(room))
            overflowed = true
            return false
        }
        bytes.append(contentsOf: chunk)
        return true
    }
}

/// One run of a program with an argument vector (never a shell), bounded in time and memory.
struct ChildProcess: Sendable {
    /// How a run ended.
    enum Status: Sendable, Hashable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        var description: String {
            switch self {
            case .exited(let code): return "exit status \(code)"
            case .signaled(let signal): return "killed by signal \(signal)"
            }
        }
    }

    /// What a finished run left behind.
    struct Report<Collector: OutputCollector>: Sendable {
        var status: Status
        /// The collector after the last chunk it took.
        var output: Collector
        /// Whether the collector asked to stop: the child was then ended with SIGKILL, so
        /// ``status`` says little.
        var stoppedEarly: Bool
        /// The first bytes of standard error (the rest is read and dropped).
        var standardError: [UInt8]
    }

    /// Why a run did not produce a report.
    enum Failure: Error, Sendable, Hashable {
        /// The program does not exist or is not executable.
        case notFound(String)
        /// Starting or talking to the child failed.
        case failed(String)
        /// The run took longer than its timeout; the child was ended.
        case timedOut(Duration)
    }

    var executable: String
    var arguments: [String]
    /// Variables set (or, with `nil`, removed) on top of the inherited environment.
    var environment: [String: String?] = [:]
    /// Written to the child's standard input, which is then closed. Without it the child reads
    /// end-of-file at once.
    var input: [UInt8]? = nil
    var timeout: Duration
    var standardErrorLimit: Int = 4096

    /// Runs the program, feeding its output to `collector`.
    func run<Collector: OutputCollector>(collecting collector: Collector) async throws(Failure) -> Report<Collector> {
        Self.ignoreSIGPIPE
        do {
            return try await withThrowingTaskGroup(of: Report<Collector>?.self) { group in
                group.addTask { try await self.spawn(collector) }
                group.addTask {
                    try await Task.sleep(for: self.timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let report = first else {
                    throw Failure.timedOut(timeout)
                }
                return report
            }
        } catch let failure as Failure {
            throw failure
        } catch let error as SubprocessError {
            if error.code == .executableNotFound {
                throw .notFound(executable)
            }
            throw .failed("\(executable): \(error)")
        } catch is CancellationError {
            throw .failed("\(executable): cancelled")
        } catch {
            throw .failed("\(executable): \(error)")
        }
    }

    private func spawn<Collector: OutputCollector>(_ collector: Collector) async throws -> Report<Collector> {
        var options = PlatformOptions()
        // On timeout or cancellation: SIGTERM, then SIGKILL after a second.
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(1))]
        var overrides: [Environment.Key: String?] = [:]
        for (key, value) in environment {
            overrides[Environment.Key(stringLiteral: key)] = value
        }
        let configuration = Subprocess.Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: overrides.isEmpty ? .inherit : .inherit.updating(overrides),
            platformOptions: options
        )
        let input = self.input
        let errorLimit = standardErrorLimit
        let result = try await Subprocess.run(
            configuration,
            input: .inputWriter,
            output: .sequence,
            error: .sequence
        ) { execution in
            try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                let writer = execution.standardInputWriter
                group.addTask {
                    // A child that exits without reading its input (wrong password, server down)
                    // makes the write fail with EPIPE: its exit status tells why, not this.
                    if let input, !input.isEmpty {
                        _ = try? await writer.write(input)
                    }
                    try? await writer.finish()
                    return nil
                }
                group.addTask {
                    var kept: [UInt8] = []
                    for try await chunk in execution.standardError {
                        let room = errorLimit - kept.count
                        if room > 0 {
                            chunk.withUnsafeBytes { kept.append(contentsOf: $0.prefix(room)) }
                        }
                    }
                    return kept
                }
                var collector = collector
                var stoppedEarly = false
                for try await chunk in execution.standardOutput {
                    let goOn = chunk.withUnsafeBytes { collector.append($0) }
                    if !goOn {
                        stoppedEarly = true
                        // The child may be blocked writing the rest; end it so that its pipes close.
                        try? execution.send(signal: .kill)
                        break
                    }
                }
                var standardError: [UInt8] = []
                for try await part in group {
                    if let part { standardError = part }
                }
                return (collector, stoppedEarly, standardError)
            }
        }
        let (output, stoppedEarly, standardError) = result.closureResult
        let status: Status
        switch result.terminationStatus {
        case .exited(let code): status = .exited(code)
        case .signaled(let signal): status = .signaled(signal)
        }
        return Report(
            status: status,
            output: output,
            stoppedEarly: stoppedEarly,
            standardError: standardError
        )
    }

    /// A configuration error when `path` is not a program this process may run, naming the
    /// `setting` to fix; `nil` when it is.
    static func checkRunnable(_ path: String, setting: String) -> StageError? {
        guard access(path, X_OK) == 0 else {
            return .configuration(
                "\(StageText.quoted(path)) cannot be run (\(String(cString: strerror(errno)))): install it or fix \(setting)"
            )
        }
        return nil
    }

    /// Writing to a child that has exited raises SIGPIPE, whose default action ends this whole
    /// process: ignore it once, so that the write fails with EPIPE instead.
    private static let ignoreSIGPIPE: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()
}

extension ChildProcess.Failure {
    /// What a learner reports when its program did not run to the end: a missing program is a
    /// setting to fix; a hung or failed start may pass, so it is transient.
    /// - Parameters:
    ///   - program: the program's name, as the message shows it;
    ///   - remedy: what fixes a missing program, e.g. "install spamassassin or set the sa-learn path".
    func stageError(program: String, remedy: String) -> StageError {
        switch self {
        case .notFound(let path):
            return .configuration("\(program) not found at \(path): \(remedy)")
        case .timedOut(let timeout):
            return .transient("\(program) did not finish within \(timeout); it was stopped")
        case .failed(let why):
            return .transient("running \(program) failed: \(why)")
        }
    }
}
