#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Decodes `journalctl -o json` (and `-o json-seq`) from a stream, one entry per line.
///
/// A field's value is a string; an array of numbers 0–255 for a value that is not printable
/// UTF-8; or an array of those when the field has several values, each of which becomes one
/// `JournalField` of that name, in order. `null` — what journalctl writes for a value larger than
/// 4096 bytes unless run with `--all` — leaves the value out of the entry (counted in
/// `omittedValueCount`): run `journalctl -o json --all` to get every value. `__CURSOR`,
/// `__REALTIME_TIMESTAMP` and `__MONOTONIC_TIMESTAMP` become the entry's address; other `__`
/// fields are dropped, as in `ExportDecoder`. A JSON object's members have no order, and
/// journalctl does not keep the entry's: fields come in the order of the line, and only the
/// values of one field keep theirs.
///
/// Reading blocks, as with `ExportDecoder`. A line that is not such an object throws
/// `JournalError.malformedJSON` with its 1-based line number; after an error every call throws it again.
public struct JSONEntryDecoder: JournalEntryDecoding, Sendable {
    /// The longest line accepted: a 768 MiB value in a byte array takes up to four times that, but a
    /// stream with no newline for a gigabyte is not journalctl's output.
    public static let maximumLineLength = 1 << 30

    private var input: ChunkedInput
    private var failure: JournalError?
    private var lineScanned = 0
    private var fieldCapacity = 8
    private var cache = FieldCache()
    /// The number of the last line read, counting from 1.
    public private(set) var lineNumber = 0
    /// How many `null` values (values journalctl left out) the entries so far held.
    public private(set) var omittedValueCount = 0

    /// Decodes what `fileDescriptor` delivers, reading at most `chunkSize` bytes at a time.
    ///
    /// The descriptor is not closed by the decoder.
    public init(fileDescriptor: Int32, chunkSize: Int = 1 << 20) {
        self.init(input: ChunkedInput(fileDescriptor: fileDescriptor, chunkSize: chunkSize))
    }

    /// Decodes a stream held in memory.
    public init(bytes: [UInt8]) {
        self.init(input: ChunkedInput(bytes: bytes))
    }

    init(input: ChunkedInput) {
        self.input = input
    }

    /// The next entry, or `nil` at the end of the stream.
    /// - Throws: `JournalError.malformedJSON` for a line that is not a journal entry, `.read` when reading fails.
    public mutating func next() throws(JournalError) -> JournalEntry? {
        if let failure { throw failure }
        do {
            return try decodeEntry()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func decodeEntry() throws(JournalError) -> JournalEntry? {
        while true {
            let scanned = lineScanned
            var lineLength = input.withUnread { window -> Int? in
                guard window.count > scanned,
                    let newline = memchr(window.baseAddress! + scanned, 0x0A, window.count - scanned)
                else { return nil }
                return UnsafeRawPointer(newline) - window.baseAddress!
            }
            var terminator = 1
            if lineLength == nil {
                lineScanned = input.available
                if lineScanned > Self.maximumLineLength {
                    throw JournalError.malformedJSON(
                        line: lineNumber + 1,
                        reason: "no newline in the first \(Self.maximumLineLength) bytes of the line"
                    )
                }
                if try input.fill(minimum: input.available + 1) { continue }
                if input.available == 0 { return nil }
                // The last line may lack its newline; if it was cut short, parsing it says so.
                lineLength = input.available
                terminator = 0
            }
            lineScanned = 0
            lineNumber += 1
            let length = lineLength!
            let capacity = fieldCapacity
            // Moved, not copied, into the parser and back, so that its arrays stay uniquely referenced.
            var lineCache = cache
            cache = FieldCache()
            let parsed = input.withUnread { window -> Result<(JournalEntry?, Int), JSONEntryParser.Problem> in
                var parser = JSONEntryParser(
                    line: UnsafeRawBufferPointer(rebasing: window[..<length]),
                    cache: lineCache
                )
                lineCache = FieldCache()
                defer { lineCache = parser.cache }
                do throws(JSONEntryParser.Problem) {
                    let entry = try parser.parseEntry(fieldCapacity: capacity)
                    return .success((entry, parser.omittedValues))
                } catch {
                    return .failure(error)
                }
            }
            cache = lineCache
            input.consume(length + terminator)
            switch parsed {
            case .success((let entry?, let omitted)):
                omittedValueCount += omitted
                fieldCapacity = max(entry.fields.count, 1)
                return entry
            case .success((nil, _)):
                continue
            case .failure(let problem):
                throw JournalError.malformedJSON(
                    line: lineNumber,
                    reason: "column \(problem.column): \(problem.reason)"
                )
            }
        }
    }
}
