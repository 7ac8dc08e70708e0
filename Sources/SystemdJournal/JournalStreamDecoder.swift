/// Decodes a stream in either of journalctl's machine formats, told apart from its first bytes or named.
///
/// This is what `junkwatch replay -` reads: `journalctl -o export | junkwatch replay -` and
/// `journalctl -o json | junkwatch replay -` both work without saying which it is.
public struct JournalStreamDecoder: JournalEntryDecoding, Sendable {
    private var undetected: ChunkedInput?
    private var export: ExportDecoder?
    private var json: JSONEntryDecoder?

    /// Decodes what `fileDescriptor` delivers, in `format`, or in the format its first bytes show when `nil`.
    ///
    /// The descriptor is not closed by the decoder; reading starts with the first call to `next()`.
    public init(fileDescriptor: Int32, format: JournalStreamFormat? = nil, chunkSize: Int = 1 << 20) {
        self.init(input: ChunkedInput(fileDescriptor: fileDescriptor, chunkSize: chunkSize), format: format)
    }

    /// Decodes a stream held in memory, in `format`, or in the format its first bytes show when `nil`.
    public init(bytes: [UInt8], format: JournalStreamFormat? = nil) {
        self.init(input: ChunkedInput(bytes: bytes), format: format)
    }

    private init(input: ChunkedInput, format: JournalStreamFormat?) {
        switch format {
        case .export: export = ExportDecoder(input: input)
        case .json: json = JSONEntryDecoder(input: input)
        case nil: undetected = input
        }
    }

    /// The stream's format: the one named, or the one detected; `nil` before the first `next()`
    /// detects it, and for a stream holding nothing but white space.
    public var format: JournalStreamFormat? {
        if export != nil { return .export }
        if json != nil { return .json }
        return nil
    }

    /// The next entry, or `nil` at the end of the stream.
    /// - Throws: `JournalError.malformedExport` or `.malformedJSON` when the stream breaks its format
    ///   (`.malformedExport` also when it starts like neither), `.read` when reading fails.
    public mutating func next() throws(JournalError) -> JournalEntry? {
        if undetected != nil { try detect() }
        if export != nil { return try export!.next() }
        if json != nil { return try json!.next() }
        return nil
    }

    /// Reads until the first bytes that are not white space show the format, and picks the decoder for it.
    private mutating func detect() throws(JournalError) {
        guard var input = undetected else { return }
        undetected = nil
        var snippet: [UInt8] = []
        var leading = 0
        while true {
            let scanned = leading
            (leading, snippet) = input.withUnread { window -> (Int, [UInt8]) in
                let first = window[scanned...].firstIndex { !Self.isWhitespace($0) } ?? window.count
                return (first, Array(window[first..<min(window.count, first + JournalFieldName.maximumLength + 1)]))
            }
            if !snippet.isEmpty && Self.isDecisive(snippet) { break }
            if leading > Self.maximumLeadingWhitespace {
                throw JournalError.malformedExport(
                    offset: input.offset,
                    reason: "the stream starts with more than \(Self.maximumLeadingWhitespace) bytes of white space"
                )
            }
            if try input.readChunk() == 0 { break }
        }
        switch JournalStreamFormat.detect(firstBytes: snippet) {
        case .export:
            export = ExportDecoder(input: input)
        case .json:
            json = JSONEntryDecoder(input: input)
        case nil:
            // Nothing but white space: an empty stream in either format.
            if snippet.isEmpty { return }
            throw JournalError.malformedExport(
                offset: input.offset + leading,
                reason: "the stream is neither journal export format (which starts with a field name) "
                    + "nor JSON (which starts with '{')"
            )
        }
    }

    /// More white space than this before the first entry is not a journal stream.
    private static let maximumLeadingWhitespace = 1 << 20

    /// Whether more bytes could not change what `snippet`, which starts with no white space, says:
    /// only a field name still being read is undecided.
    private static func isDecisive(_ snippet: [UInt8]) -> Bool {
        snippet.count > JournalFieldName.maximumLength || !snippet.allSatisfy(JournalBytes.isNameByte)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n") || byte == 0x1E
    }
}
