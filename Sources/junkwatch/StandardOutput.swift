import Foundation

/// Buffered writes to standard output: a replay prints a line per decision, and one write(2)
/// per line would cost more than the decision.
final class StandardOutput {
    private var buffer: [UInt8] = []
    private let limit = 1 << 16
    /// Runs each write, when set: a progress line on the same terminal clears itself around it.
    var around: ((() -> Void) -> Void)?

    init() {
        buffer.reserveCapacity(limit)
    }

    func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= limit { flush() }
    }

    /// Writes a line that `write` appends to the buffer, without a newline: a record formats
    /// itself straight into it.
    func line(_ write: (inout [UInt8]) -> Void) {
        write(&buffer)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= limit { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        if let around { around(write) } else { write() }
    }

    private func write() {
        var written = 0
        while written < buffer.count {
            let count = buffer[written...].withUnsafeBytes { Foundation.write(1, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                // A closed pipe (`| head`): nobody reads any more, so stop quietly.
                exit(errno == EPIPE ? 0 : 1)
            }
            written += count
        }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit {
        flush()
    }
}

/// Writes a line to standard error: progress, summaries and warnings, never data.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
