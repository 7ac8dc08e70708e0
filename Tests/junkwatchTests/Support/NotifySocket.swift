import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An AF_UNIX datagram socket standing in for systemd's `NOTIFY_SOCKET`: a child given its path
/// sends READY=1, STATUS=, WATCHDOG=1 ... there, and a thread of the test collects them.
final class NotifySocket: Sendable {
    /// One datagram, and when it came.
    struct Message: Sendable {
        var text: String
        var time: ContinuousClock.Instant

        /// Its `NAME=value` lines.
        var assignments: [Substring] { text.split(separator: "\n") }
        /// The value of `STATUS=`, if it has one.
        var status: String? {
            assignments.first { $0.hasPrefix("STATUS=") }.map { String($0.dropFirst("STATUS=".count)) }
        }
        /// Whether it has the line `NAME=value` exactly (`READY=1`).
        func has(_ assignment: String) -> Bool { assignments.contains { $0 == assignment } }
    }

    /// The path to give a child as `NOTIFY_SOCKET`.
    let path: String
    private let descriptor: Int32
    private let received = Mutex<[Message]>([])
    private let closed = Atomic<Bool>(false)

    init() throws {
        // sun_path holds 108 bytes: a short path in /tmp, not the (long) temporary directory.
        path = "/tmp/jw-notify-\(UUID().uuidString.prefix(12).lowercased())"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServiceProcessError(description: "socket: errno \(errno)") }
        let bound = withUnixSocketAddress(path) { bind(descriptor, $0, $1) }
        guard bound == 0 else {
            Glibc.close(descriptor)
            throw ServiceProcessError(description: "bind \(path): errno \(errno)")
        }
        // The child runs as root here, but keep the socket writable for anyone, as systemd's is.
        chmod(path, 0o777)
        // A short receive timeout lets the reader thread notice close().
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in self.receiveLoop() }
        thread.start()
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 8192)
        while !closed.load(ordering: .relaxed) {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { continue }
            let message = Message(text: String(decoding: buffer.prefix(count), as: UTF8.self), time: .now)
            received.withLock { $0.append(message) }
        }
        Glibc.close(descriptor)
    }

    /// Everything received so far.
    var messages: [Message] { received.withLock { $0 } }

    /// How many messages have come: a mark to wait for later ones with.
    var count: Int { received.withLock { $0.count } }

    /// The first message after the first `mark` ones that satisfies `predicate`, waiting up to
    /// `timeout` for it; `nil` if none came.
    func first(
        after mark: Int = 0,
        within timeout: Duration,
        where predicate: (Message) -> Bool
    ) async -> Message? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let found = received.withLock { messages in messages.dropFirst(mark).first(where: predicate) }
            if let found { return found }
            if clock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }

    /// Stops reading and removes the socket.
    func close() {
        closed.store(true, ordering: .relaxed)
        unlink(path)
    }

    deinit {
        if !closed.load(ordering: .relaxed) { unlink(path) }
    }
}
