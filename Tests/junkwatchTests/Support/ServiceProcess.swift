import Foundation
import Subprocess
import Synchronization
import TestSupport

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// One `junkwatch run` as a real child process: started, signalled, killed, waited for.
///
/// Its standard output and error are appended to a log file (it logs to standard error when not
/// under systemd). Signals go by pid with kill(2), only while the child has not been reaped, so a
/// recycled pid is never hit.
final class ServiceProcess: Sendable {
    /// The built `junkwatch`, next to this test binary in `.build/<configuration>/`.
    static let program = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("junkwatch").path

    /// The child's pid.
    let pid: pid_t
    private let run: Task<Int32, any Error>
    private let reaped = Atomic<Bool>(false)

    private init(pid: pid_t, run: Task<Int32, any Error>) {
        self.pid = pid
        self.run = run
    }

    /// Starts `junkwatch` with `arguments`; `environment` is added to (or, with `nil` values,
    /// removed from) this process's environment.
    static func start(
        _ arguments: [String],
        environment: [String: String?],
        log: String
    ) async throws -> ServiceProcess {
        let output = try FileDescriptor.open(
            FilePath(log),
            .writeOnly,
            options: [.create, .append],
            permissions: [.ownerReadWrite, .groupRead, .otherRead]
        )
        let error = try FileDescriptor.open(FilePath(log), .writeOnly, options: [.append])
        var overrides: [Environment.Key: String?] = [:]
        for (name, value) in environment {
            guard let key = Environment.Key(rawValue: name) else { continue }
            overrides[key] = value
        }
        let (pids, pidSink) = AsyncStream<pid_t>.makeStream()
        let run = Task<Int32, any Error> {
            defer { pidSink.finish() }
            let result = try await Subprocess.run(
                .path(FilePath(program)),
                arguments: Arguments(arguments),
                environment: .inherit.updating(overrides),
                input: .none,
                output: .fileDescriptor(output, closeAfterSpawningProcess: true),
                error: .fileDescriptor(error, closeAfterSpawningProcess: true)
            ) { execution in
                // Handed out at once; run() itself goes on to wait for the child to end.
                pidSink.yield(execution.processIdentifier.value)
            }
            return result.terminationStatus.exitStatus
        }
        var iterator = pids.makeAsyncIterator()
        guard let pid = await iterator.next() else {
            _ = try await run.value
            throw ServiceProcessError(description: "\(program) did not start")
        }
        let process = ServiceProcess(pid: pid, run: run)
        Task {
            _ = try? await run.value
            process.reaped.store(true, ordering: .sequentiallyConsistent)
        }
        return process
    }

    /// Sends `signal` (SIGTERM, SIGHUP, SIGKILL) unless the child is already gone.
    func send(_ signal: Int32) {
        guard !reaped.load(ordering: .sequentiallyConsistent) else { return }
        kill(pid, signal)
    }

    /// Whether the child has ended.
    var hasEnded: Bool { reaped.load(ordering: .sequentiallyConsistent) }

    /// The exit status (128 + N when killed by signal N), or `nil` when it is still running
    /// after `timeout`.
    func exitStatus(within timeout: Duration) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !hasEnded && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard hasEnded else { return nil }
        return try? await run.value
    }

    /// SIGKILL and wait: for clean-up, whatever state the test left the child in.
    func killAndWait() async {
        send(SIGKILL)
        _ = try? await run.value
    }
}

struct ServiceProcessError: Error, CustomStringConvertible {
    var description: String
}
