import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes structured entries to the local journald through `sd_journal_sendv`.
///
/// Field values may hold any bytes, newlines included. journald's socket path is fixed by
/// libsystemd (`/run/systemd/journal/socket`); without a running journald every send fails.
public struct JournalWriter: Sendable {
    public init() {}

    /// Sends one entry.
    /// - Parameter fields: the entry's fields in order; `MESSAGE` should be among them.
    /// - Throws: `JournalError.invalidFieldName` for a name journald would reject (checked before
    ///   anything is sent), `.call` when journald cannot be reached.
    public func send(_ fields: [JournalField]) throws {
        for field in fields { try JournalFieldName.validate(field.name) }
        // One "NAME=value" buffer per field, kept alive until sd_journal_sendv returns.
        let buffers: [[UInt8]] = fields.map { Array($0.name.utf8) + [UInt8(ascii: "=")] + $0.value }
        let result = try withIOVectors(buffers, 0, []) { vectors in
            vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
        try SD.check(result, "sd_journal_sendv")
    }

    /// Sends one entry of text fields.
    public func send(_ fields: KeyValuePairs<String, String>) throws {
        try send(fields.map { JournalField(name: $0.key, text: $0.value) })
    }

    /// Nests `withUnsafeBufferPointer` over every buffer so that all pointers are valid at once.
    private func withIOVectors<Result>(
        _ buffers: [[UInt8]],
        _ index: Int,
        _ vectors: [iovec],
        _ body: ([iovec]) throws -> Result
    ) throws -> Result {
        guard index < buffers.count else { return try body(vectors) }
        return try buffers[index].withUnsafeBufferPointer { buffer in
            let base = UnsafeMutableRawPointer(mutating: buffer.baseAddress)
            let vector = iovec(iov_base: base, iov_len: buffer.count)
            return try withIOVectors(buffers, index + 1, vectors + [vector], body)
        }
    }
}
