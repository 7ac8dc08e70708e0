import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A pseudo-terminal for a child's standard error, so that the child believes it writes to a
/// terminal (`isatty` is true, `TIOCGWINSZ` answers), while the test reads every byte it wrote.
///
/// The terminal is raw: no `\n` to `\r\n` translation, so a `\r` read back is one the child wrote.
final class PseudoTerminal: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The side the test reads.
    let controller: Int32
    /// The side the child writes; hand it over with `closeAfterSpawningProcess: true`.
    let terminal: Int32
    private var collected: [UInt8] = []
    private let lock = NSLock()
    private let finished = DispatchSemaphore(value: 0)

    // posix_openpt, unlockpt and ptsname hide behind feature macros that Swift's Glibc module
    // does not set: the Linux ioctls they wrap (asm-generic values, the same on x86-64 and arm64).
    private static let getNumber: UInt = 0x8004_5430  // TIOCGPTN
    private static let setLock: UInt = 0x4004_5431  // TIOCSPTLCK

    /// Opens a terminal `columns` wide and starts reading it on a thread of its own.
    init(columns: UInt16) throws {
        controller = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard controller >= 0, ioctl(controller, Self.setLock, &unlock) == 0,
            ioctl(controller, Self.getNumber, &number) == 0
        else {
            throw Failure(description: "cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        let name = "/dev/pts/\(number)"
        terminal = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard terminal >= 0 else { throw Failure(description: "cannot open \(name)") }
        var settings = termios()
        tcgetattr(terminal, &settings)
        cfmakeraw(&settings)
        tcsetattr(terminal, TCSANOW, &settings)
        var size = winsize(ws_row: 24, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(terminal, UInt(TIOCSWINSZ), &size)
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(controller, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                // EIO once every process has closed the terminal side.
                guard count > 0 else { break }
                lock.withLock { collected += buffer[..<count] }
            }
            finished.signal()
        }.start()
    }

    /// What was written to the terminal so far.
    var text: String {
        lock.withLock { String(decoding: collected, as: UTF8.self) }
    }

    /// Waits up to `timeout` for the text written so far to satisfy `condition`.
    func wait(upTo timeout: Duration, for condition: (String) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(text) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition(text)
    }

    /// Everything written to the terminal, once the child has exited (and closed its side).
    func output() async -> String {
        // The wait blocks: on a thread of its own, not one of those every test's tasks share.
        await withCheckedContinuation { continuation in
            Thread { [self] in
                finished.wait()
                close(controller)
                continuation.resume(returning: text)
            }.start()
        }
    }
}
