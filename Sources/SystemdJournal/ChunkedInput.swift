#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A byte stream read in chunks from a file descriptor, or held in memory, behind one window of unread bytes.
///
/// The decoders parse straight out of the window and consume what they have parsed; only the unread
/// part of the stream is ever held, so memory follows the largest entry, not the stream's size.
struct ChunkedInput: Sendable {
    /// The descriptor read from, or -1 for a stream held in memory.
    private let fileDescriptor: Int32
    /// Most bytes one `read(2)` asks for.
    private let chunkSize: Int
    /// Bytes `start..<end` are read and not yet consumed; the rest is room for the next read.
    private var storage: [UInt8]
    private var start = 0
    private var end: Int
    /// The stream offset of `storage[0]`.
    private var storageOffset = 0
    /// Whether a read has reported the end of the stream.
    private(set) var isAtEnd: Bool

    /// Reads `fileDescriptor` (left open) `chunkSize` bytes at a time at most.
    init(fileDescriptor: Int32, chunkSize: Int) {
        self.fileDescriptor = fileDescriptor
        self.chunkSize = max(1, chunkSize)
        self.storage = []
        self.end = 0
        self.isAtEnd = false
    }

    /// The whole stream, already in memory; no copy is made.
    init(bytes: [UInt8]) {
        self.fileDescriptor = -1
        self.chunkSize = max(1, bytes.count)
        self.storage = bytes
        self.end = bytes.count
        self.isAtEnd = true
    }

    /// How many unread bytes are in the window.
    var available: Int { end - start }

    /// The stream offset of the first unread byte.
    var offset: Int { storageOffset + start }

    /// Calls `body` with the unread bytes; valid only inside `body`.
    func withUnread<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Marks `count` unread bytes as consumed.
    mutating func consume(_ count: Int) {
        assert(count <= available)
        start += count
    }

    /// Reads until at least `minimum` bytes are unread; `false` when the stream ends first.
    mutating func fill(minimum: Int) throws(JournalError) -> Bool {
        while available < minimum {
            if try readChunk() == 0 { return false }
        }
        return true
    }

    /// Reads once, appending to the window; returns how many bytes came, 0 at the end of the stream.
    mutating func readChunk() throws(JournalError) -> Int {
        if isAtEnd { return 0 }
        makeRoom()
        let room = min(chunkSize, storage.count - end)
        let wanted = end
        let descriptor = fileDescriptor
        var result: Int
        repeat {
            result = storage.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + wanted, room) }
        } while result < 0 && errno == EINTR
        if result < 0 {
            throw JournalError.read(errno: errno, detail: "file descriptor \(descriptor)")
        }
        if result == 0 { isAtEnd = true }
        end += result
        return result
    }

    /// Ensures room for one chunk after `end`: drops consumed bytes, grows for a large entry, and
    /// shrinks again after one so that a single huge field does not pin memory for the rest of the stream.
    private mutating func makeRoom() {
        let unread = available
        let comfortable = 2 * chunkSize
        if storage.count > 4 * comfortable && unread + chunkSize <= comfortable {
            var smaller = [UInt8](repeating: 0, count: comfortable)
            let from = start
            smaller.withUnsafeMutableBytes { target in
                storage.withUnsafeBytes { source in
                    target.baseAddress!.copyMemory(from: source.baseAddress! + from, byteCount: unread)
                }
            }
            storage = smaller
            storageOffset += start
            start = 0
            end = unread
            return
        }
        if storage.count - end >= chunkSize { return }
        if start > 0 {
            let from = start
            storage.withUnsafeMutableBytes { raw in
                if unread > 0 { memmove(raw.baseAddress!, raw.baseAddress! + from, unread) }
            }
            storageOffset += start
            start = 0
            end = unread
        }
        if storage.count - end < chunkSize {
            // Doubling keeps the copying of a growing entry linear in its size.
            let grown = max(comfortable, end + chunkSize, storage.count * 2)
            storage.append(contentsOf: repeatElement(0, count: grown - storage.count))
        }
    }
}
