import Foundation
import SystemdJournal
import TestSupport
import Testing

/// These tests set NOTIFY_SOCKET and WATCHDOG_* in this process: they run one at a time.
@Suite("SystemdNotifier", .serialized)
struct SystemdNotifierTests {
    @Test("without NOTIFY_SOCKET every notification is a no-op")
    func noSocket() {
        unsetenv("NOTIFY_SOCKET")
        let notifier = SystemdNotifier()
        #expect(!notifier.isListening)
        #expect(!notifier.send(["READY=1"]))
        notifier.ready(status: "nothing listens")
    }

    @Test("READY, STATUS, WATCHDOG and STOPPING reach the socket, one status line each")
    func messages() throws {
        let socket = try DatagramSocket()
        setenv("NOTIFY_SOCKET", socket.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let notifier = SystemdNotifier()
        #expect(notifier.isListening)

        notifier.ready(status: "following\nthe journal")
        #expect(try socket.receive() == "READY=1\nSTATUS=following the journal")
        notifier.status("learned 3")
        #expect(try socket.receive() == "STATUS=learned 3")
        notifier.watchdog()
        #expect(try socket.receive() == "WATCHDOG=1")
        notifier.reloading()
        #expect(try socket.receive() == "RELOADING=1")
        notifier.stopping()
        #expect(try socket.receive() == "STOPPING=1")
    }

    @Test("the watchdog interval comes from WATCHDOG_USEC for this process only")
    func watchdogInterval() {
        defer {
            unsetenv("WATCHDOG_USEC")
            unsetenv("WATCHDOG_PID")
        }
        setenv("WATCHDOG_USEC", "5000000", 1)
        setenv("WATCHDOG_PID", "\(getpid())", 1)
        #expect(SystemdNotifier().watchdogInterval == .seconds(5))
        setenv("WATCHDOG_PID", "1", 1)
        #expect(SystemdNotifier().watchdogInterval == nil)
        unsetenv("WATCHDOG_USEC")
        #expect(SystemdNotifier().watchdogInterval == nil)
    }
}

/// A bound AF_UNIX datagram socket in a temporary directory, standing in for systemd's.
private final class DatagramSocket {
    let path: String
    private let descriptor: Int32

    init() throws {
        path = NSTemporaryDirectory() + "junkwatch-notify-\(UUID().uuidString.prefix(8))"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        let result = withUnixSocketAddress(path) { bind(descriptor, $0, $1) }
        try #require(result == 0, "bind \(path): errno \(errno)")
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func receive() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        try #require(count > 0, "nothing arrived on the notify socket")
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    deinit {
        close(descriptor)
        unlink(path)
    }
}
