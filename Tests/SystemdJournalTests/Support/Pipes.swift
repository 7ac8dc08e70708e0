import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A writer that stops early must not kill the test process with SIGPIPE.
private let ignoreSIGPIPE: Void = {
    _ = signal(SIGPIPE, SIG_IGN)
}()

/// Feeds bytes to a decoder through a real pipe(2), written by another thread.
enum PipeFeeder {
    struct PipeError: Error {
        var errno: Int32
    }

    /// The read end of a pipe that a thread fills with `bytes`, then closes; the caller closes the read end.
    static func readEnd(writing bytes: [UInt8]) throws -> Int32 {
        _ = ignoreSIGPIPE
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw PipeError(errno: errno) }
        // A process another test spawns meanwhile must not hold the write end open and delay our EOF.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let writeEnd = fds[1]
        let thread = Thread {
            bytes.withUnsafeBytes { raw in
                var written = 0
                while written < raw.count {
                    let result = write(writeEnd, raw.baseAddress! + written, raw.count - written)
                    if result < 0 && errno == EINTR { continue }
                    // EPIPE: the reader stopped early, which some tests do on purpose.
                    if result <= 0 { break }
                    written += result
                }
            }
            close(writeEnd)
        }
        thread.start()
        return fds[0]
    }

    /// Runs `body` with the read end of a pipe that `bytes` are written into, and closes it afterwards.
    static func withReadEnd<Result>(writing bytes: [UInt8], _ body: (Int32) throws -> Result) throws -> Result {
        let fd = try readEnd(writing: bytes)
        defer { close(fd) }
        return try body(fd)
    }
}
