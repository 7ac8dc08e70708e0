import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP forwarder on 127.0.0.1 in front of the testbed's rspamd controller, which a test can
/// take down and bring back: "rspamd is down" for the junkwatch it serves, and for nobody else.
///
/// Why not the testbed's stop-rspamd: the rest of the package's tests run at the same time and
/// use the same rspamd (the rspamd learner tests, the stage cost measurement); stopping it for
/// many seconds would fail them. Down here looks the same to junkwatch as rspamd stopped: the
/// port refuses connections (the listening socket is closed), and connections open at that
/// moment are cut.
final class RspamdProxy: Sendable {
    /// The URL to configure as `rspamd.url`.
    var url: String { "http://127.0.0.1:\(port)" }
    let port: UInt16
    private let upstreamPort: UInt16
    private struct State {
        var listener: Int32 = -1
        var connections: Set<Int32> = []
    }
    private let state = Mutex(State())

    /// Starts forwarding to `upstream` (`http://127.0.0.1:PORT`).
    init(upstream: String) throws {
        guard let portText = upstream.split(separator: ":").last, let upstreamPort = UInt16(portText) else {
            throw ServiceProcessError(description: "cannot read the port of \(upstream)")
        }
        self.upstreamPort = upstreamPort
        let listener = try Self.listen(port: 0)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        state.withLock { $0.listener = listener }
        acceptLoop(listener)
    }

    /// Takes rspamd "down": refuses new connections and cuts open ones.
    func down() {
        state.withLock { state in
            if state.listener >= 0 {
                // shutdown wakes the thread blocked in accept(); close alone would not.
                shutdown(state.listener, Int32(SHUT_RDWR))
                Glibc.close(state.listener)
                state.listener = -1
            }
            // Under the lock: a forwarding thread closes its socket only after taking it out of
            // the set, so no descriptor here can have been reused for something else.
            for connection in state.connections { shutdown(connection, Int32(SHUT_RDWR)) }
        }
    }

    /// Brings rspamd back on the same port.
    func up() throws {
        let listener = try Self.listen(port: port)
        state.withLock { $0.listener = listener }
        acceptLoop(listener)
    }

    /// Stops for good.
    func close() {
        down()
    }

    private static func listen(port: UInt16) throws -> Int32 {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(listener, 64) == 0 else {
            let code = errno
            Glibc.close(listener)
            throw ServiceProcessError(description: "rspamd proxy: cannot listen on 127.0.0.1:\(port): errno \(code)")
        }
        return listener
    }

    private func acceptLoop(_ listener: Int32) {
        Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return  // closed by down()
                }
                let open = state.withLock { state -> Bool in
                    guard state.listener == listener else { return false }
                    state.connections.insert(client)
                    return true
                }
                guard open else {
                    Glibc.close(client)
                    return
                }
                Thread { [self] in self.forward(client) }.start()
            }
        }.start()
    }

    /// Connects to rspamd and copies bytes both ways until both sides have closed.
    private func forward(_ client: Int32) {
        defer {
            state.withLock { _ = $0.connections.remove(client) }
            Glibc.close(client)
        }
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(upstream) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = upstreamPort.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return }
        var fds = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream, events: Int16(POLLIN), revents: 0)]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open[0] || open[1] {
            fds[0].events = open[0] ? Int16(POLLIN) : 0
            fds[1].events = open[1] ? Int16(POLLIN) : 0
            let ready = poll(&fds, 2, 30_000)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { return }
            for side in 0..<2 where open[side] && fds[side].revents != 0 {
                let from = fds[side].fd
                let to = fds[1 - side].fd
                let count = read(from, &buffer, buffer.count)
                if count <= 0 {
                    open[side] = false
                    shutdown(to, Int32(SHUT_WR))
                    if count < 0 { return }
                    continue
                }
                var sent = 0
                while sent < count {
                    let written = buffer.withUnsafeBytes { write(to, $0.baseAddress! + sent, count - sent) }
                    if written <= 0 { return }
                    sent += written
                }
            }
        }
    }
}
