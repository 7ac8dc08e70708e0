#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Decodes the journal export format (`journalctl -o export`) from a stream, one entry at a time.
///
/// Each field is `NAME=value` and a newline, or, for values that are not plain text, `NAME`, a
/// newline, the value's length as a 64-bit little-endian number, the value and a newline; an
/// empty line ends an entry, and so does the end of the stream. `__CURSOR`,
/// `__REALTIME_TIMESTAMP` and `__MONOTONIC_TIMESTAMP` become the entry's address; other fields
/// whose names start with `__` (`__SEQNUM`, `__SEQNUM_ID`) are dropped, as `sd_journal` does not
/// list them among an entry's fields either.
///
/// Bytes are read `chunkSize` at a time and only the unread part of the stream is held, so the
/// memory used follows the largest entry, not the stream. Reading blocks: run the decoder off
/// Swift's cooperative thread pool when it reads a pipe. Anything that is not the format — a
/// truncated stream, a bad field name, a length past journald's limits — throws
/// `JournalError.malformedExport` with the byte offset in the stream; after an error every call
/// throws it again.
public struct ExportDecoder: JournalEntryDecoding, Sendable {
    private var input: ChunkedInput
    private var failure: JournalError?
    /// How far the newline of the text line at the start of the window was already searched for.
    private var lineScanned = 0
    /// How many fields the last entry had: the next one is likely to have as many.
    private var fieldCapacity = 8
    private var cache = FieldCache()

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

    /// The stream offset of the first byte not yet decoded.
    public var offset: Int { input.offset }

    /// The next entry, or `nil` at the end of the stream.
    /// - Throws: `JournalError.malformedExport` when the stream breaks the format, `.read` when reading fails.
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
        var entry = JournalEntry()
        entry.fields.reserveCapacity(fieldCapacity)
        var progress = EntryProgress()
        while true {
            let scanned = lineScanned
            let step = input.withUnread {
                Self.parse($0, into: &entry, progress: &progress, cache: &cache, lineScanned: scanned)
            }
            input.consume(step.consumed)
            switch step.outcome {
            case .entryEnd:
                lineScanned = 0
                fieldCapacity = max(entry.fields.count, 1)
                return entry
            case .malformed(let at, let reason):
                throw JournalError.malformedExport(offset: input.offset + at, reason: reason)
            case .needMore(let minimum, let scanned, let truncation):
                lineScanned = scanned
                // At the end, the pass that just ran saw every byte left, so its `truncation` tells
                // the incomplete field as it finally stands.
                if input.isAtEnd {
                    if input.available > 0 {
                        throw JournalError.malformedExport(offset: input.offset, reason: truncation)
                    }
                    lineScanned = 0
                    return progress.hasContent ? entry : nil
                }
                _ = try input.fill(minimum: minimum)
            }
        }
    }

    /// What is known about the entry being decoded.
    struct EntryProgress {
        /// Whether a field of the entry was read (an address field counts).
        var hasContent = false
        /// Bytes of the entry read so far.
        var size = 0
    }

    /// How one pass over the window ended, and how many bytes it consumed.
    struct Step {
        var consumed: Int
        var outcome: Outcome
    }

    enum Outcome {
        /// An empty line ended the entry.
        case entryEnd
        /// The field at the start of the remaining window is incomplete: read until at least
        /// `minimum` bytes are unread; `truncation` is the error when the stream ends first.
        case needMore(minimum: Int, lineScanned: Int, truncation: String)
        /// The stream breaks the format `at` bytes past the consumed ones, which end where the broken field starts.
        case malformed(at: Int, reason: String)
    }

    /// Parses as many whole fields as the window holds into `entry`.
    static func parse(
        _ window: UnsafeRawBufferPointer,
        into entry: inout JournalEntry,
        progress: inout EntryProgress,
        cache: inout FieldCache,
        lineScanned: Int
    ) -> Step {
        let count = window.count
        var position = 0
        while true {
            let fieldStart = position
            guard position < count else {
                return Step(consumed: position, outcome: .needMore(minimum: 1, lineScanned: 0, truncation: ""))
            }
            if window[position] == UInt8(ascii: "\n") {
                position += 1
                if progress.hasContent { return Step(consumed: position, outcome: .entryEnd) }
                // A blank line before any field ends no entry; journalctl never writes one, so skip it.
                continue
            }
            var index = position
            let nameLimit = min(count, position + JournalFieldName.maximumLength + 1)
            while index < nameLimit && JournalBytes.isNameByte(window[index]) { index += 1 }
            let name = UnsafeRawBufferPointer(rebasing: window[position..<index])
            if index == count && name.count <= JournalFieldName.maximumLength {
                let truncation = "the stream ends inside the field name \(JournalBytes.quoted(name))"
                return Step(
                    consumed: fieldStart,
                    outcome: .needMore(minimum: count - fieldStart + 1, lineScanned: 0, truncation: truncation)
                )
            }
            let terminator = index < count ? window[index] : 0
            let plausible =
                (terminator == UInt8(ascii: "=") || terminator == UInt8(ascii: "\n")) && !name.isEmpty
                && name.count <= JournalFieldName.maximumLength && (name[0] &- UInt8(ascii: "0")) >= 10
            if !plausible, let problem = nameProblem(name, terminator: terminator) {
                return Step(consumed: fieldStart, outcome: .malformed(at: problem.at, reason: problem.reason))
            }
            let valueStart: Int
            let valueEnd: Int
            if terminator == UInt8(ascii: "=") {
                valueStart = index + 1
                let searchFrom = max(valueStart, fieldStart == 0 ? lineScanned : 0)
                let newline = memchr(window.baseAddress! + searchFrom, Int32(UInt8(ascii: "\n")), count - searchFrom)
                guard let newline else {
                    if count - valueStart > JournalBytes.maximumFieldSize {
                        let reason =
                            "text field \(JournalBytes.quoted(name)) is longer than journald's limit of 768 MiB"
                        return Step(consumed: fieldStart, outcome: .malformed(at: 0, reason: reason))
                    }
                    if let tooLarge = entryTooLarge(progress, adding: count - fieldStart) {
                        return Step(consumed: fieldStart, outcome: .malformed(at: 0, reason: tooLarge))
                    }
                    let truncation = "the stream ends inside text field \(JournalBytes.quoted(name)) (no newline)"
                    let outcome = Outcome.needMore(
                        minimum: count - fieldStart + 1,
                        lineScanned: count - fieldStart,
                        truncation: truncation
                    )
                    return Step(consumed: fieldStart, outcome: outcome)
                }
                valueEnd = UnsafeRawPointer(newline) - window.baseAddress!
            } else {
                let lengthStart = index + 1
                guard count - lengthStart >= 8 else {
                    let truncation = "the stream ends inside the length of binary field \(JournalBytes.quoted(name))"
                    let outcome = Outcome.needMore(
                        minimum: lengthStart + 8 - fieldStart,
                        lineScanned: 0,
                        truncation: truncation
                    )
                    return Step(consumed: fieldStart, outcome: outcome)
                }
                let length = UInt64(littleEndian: window.loadUnaligned(fromByteOffset: lengthStart, as: UInt64.self))
                guard length <= UInt64(JournalBytes.maximumFieldSize) else {
                    let reason =
                        "binary field \(JournalBytes.quoted(name)) declares \(length) bytes, "
                        + "more than journald's limit of 768 MiB"
                    return Step(consumed: fieldStart, outcome: .malformed(at: lengthStart - fieldStart, reason: reason))
                }
                valueStart = lengthStart + 8
                valueEnd = valueStart + Int(length)
                guard valueEnd < count else {
                    if let tooLarge = entryTooLarge(progress, adding: valueEnd + 1 - fieldStart) {
                        return Step(consumed: fieldStart, outcome: .malformed(at: 0, reason: tooLarge))
                    }
                    let truncation =
                        "the stream ends inside binary field \(JournalBytes.quoted(name)): "
                        + "\(length) bytes declared, \(max(0, count - valueStart)) present"
                    let outcome = Outcome.needMore(
                        minimum: valueEnd + 1 - fieldStart,
                        lineScanned: 0,
                        truncation: truncation
                    )
                    return Step(consumed: fieldStart, outcome: outcome)
                }
                guard window[valueEnd] == UInt8(ascii: "\n") else {
                    let reason =
                        "binary field \(JournalBytes.quoted(name)) of \(length) bytes is not followed by a newline"
                    return Step(consumed: fieldStart, outcome: .malformed(at: valueEnd - fieldStart, reason: reason))
                }
            }
            let value = UnsafeRawBufferPointer(rebasing: window[valueStart..<valueEnd])
            if let reason = add(name: name, value: value, to: &entry, cache: &cache) {
                return Step(consumed: fieldStart, outcome: .malformed(at: valueStart - fieldStart, reason: reason))
            }
            position = valueEnd + 1
            progress.hasContent = true
            progress.size += position - fieldStart
            if let tooLarge = entryTooLarge(progress, adding: 0) {
                return Step(consumed: fieldStart, outcome: .malformed(at: 0, reason: tooLarge))
            }
        }
    }

    /// Why `name`, ended by `terminator`, does not start a field; offsets relative to the name.
    private static func nameProblem(_ name: UnsafeRawBufferPointer, terminator: UInt8) -> (at: Int, reason: String)? {
        if name.count > JournalFieldName.maximumLength {
            return (0, "field name \(JournalBytes.quoted(name)) is longer than 64 bytes")
        }
        if terminator != UInt8(ascii: "=") && terminator != UInt8(ascii: "\n") {
            let shown = name.isEmpty ? "" : " after \(JournalBytes.quoted(name))"
            return (
                name.count,
                "byte 0x\(JournalBytes.hex(terminator))\(shown) where a field name (A-Z, 0-9, _) "
                    + "followed by '=' or a newline was expected"
            )
        }
        if name.isEmpty {
            return (0, terminator == UInt8(ascii: "=") ? "empty field name" : "unexpected empty line")
        }
        if (name[0] &- UInt8(ascii: "0")) < 10 {
            return (0, "field name \(JournalBytes.quoted(name)) starts with a digit")
        }
        return nil
    }

    private static func entryTooLarge(_ progress: EntryProgress, adding bytes: Int) -> String? {
        guard progress.size + bytes > JournalBytes.maximumEntrySize else { return nil }
        return "the entry is larger than journald's limit of 770 MiB"
    }

    /// Adds one field to `entry`, or sets its address; returns why the value is unusable, if it is.
    @inline(__always)
    private static func add(
        name: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        to entry: inout JournalEntry,
        cache: inout FieldCache
    ) -> String? {
        guard let address = JournalBytes.addressField(name) else {
            // The scan has checked the name already.
            let text = cache.name(name, at: entry.fields.count) { _ in true }!
            entry.fields.append(JournalField(name: text, value: cache.value(value, at: entry.fields.count)))
            return nil
        }
        switch address {
        case .cursor:
            entry.cursor = String(decoding: value, as: UTF8.self)
        case .realtime:
            guard let number = JournalBytes.decimal(value) else {
                return "__REALTIME_TIMESTAMP is not a decimal number: \(JournalBytes.quoted(value))"
            }
            entry.realtime = number
        case .monotonic:
            guard let number = JournalBytes.decimal(value) else {
                return "__MONOTONIC_TIMESTAMP is not a decimal number: \(JournalBytes.quoted(value))"
            }
            entry.monotonic = number
        case .otherProtected:
            break
        }
        return nil
    }
}
