/// Parses one line of `journalctl -o json` (or one record of `-o json-seq`) into a `JournalEntry`.
///
/// The line is one JSON object whose members are fields. A value is a string; an array of numbers
/// 0–255 (a value that is not printable UTF-8); `null` (a value journalctl left out for its size);
/// or an array of those (a field with several values). Anything else is rejected with the column
/// where it starts.
struct JSONEntryParser {
    /// Why a line is not a journal JSON entry, and the 1-based byte column where that shows.
    struct Problem: Error {
        var column: Int
        var reason: String
    }

    private let line: UnsafeRawBufferPointer
    private var position = 0
    /// How many `null` values the line held.
    private(set) var omittedValues = 0
    /// The previous line's names and values; the decoder hands it from line to line.
    var cache: FieldCache

    init(line: UnsafeRawBufferPointer, cache: FieldCache) {
        self.line = line
        self.cache = cache
    }

    /// The entry on the line; `nil` for a line holding only white space.
    mutating func parseEntry(fieldCapacity: Int) throws(Problem) -> JournalEntry? {
        // json-seq puts an ASCII record separator before each record.
        if position < line.count && line[position] == 0x1E { position += 1 }
        skipWhitespace()
        guard position < line.count else { return nil }
        try expect(UInt8(ascii: "{"), "expected '{' at the start of an entry")
        var entry = JournalEntry()
        entry.fields.reserveCapacity(fieldCapacity)
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                try member(into: &entry)
                skipWhitespace()
                guard let byte = peek() else { throw problem("the line ends inside the object (a line cut short?)") }
                position += 1
                if byte == UInt8(ascii: "}") { break }
                if byte != UInt8(ascii: ",") {
                    position -= 1
                    throw problem("expected ',' or '}' after a value, found \(describe(byte))")
                }
            }
        }
        skipWhitespace()
        guard position == line.count else { throw problem("unexpected \(describe(line[position])) after the entry") }
        return entry
    }

    // MARK: Members

    private mutating func member(into entry: inout JournalEntry) throws(Problem) {
        let nameColumn = position + 1
        guard peek() == UInt8(ascii: "\"") else {
            if position == line.count { throw problem("the line ends where a field name was expected") }
            throw problem("expected a field name in double quotes, found \(describe(line[position]))")
        }
        position += 1
        switch try stringToken() {
        case .slice(let range):
            try member(named: UnsafeRawBufferPointer(rebasing: line[range]), column: nameColumn, into: &entry)
        case .decoded(let decoded):
            // Only a name spelled with escapes, which journalctl never writes, takes this way.
            let result = decoded.withUnsafeBytes { nameRaw in
                Result { () throws(Problem) in try member(named: nameRaw, column: nameColumn, into: &entry) }
            }
            try result.get()
        }
    }

    private mutating func member(
        named nameRaw: UnsafeRawBufferPointer,
        column nameColumn: Int,
        into entry: inout JournalEntry
    ) throws(Problem) {
        let address = JournalBytes.addressField(nameRaw)
        let name: String?
        if address == nil {
            name = cache.name(nameRaw, at: entry.fields.count, isValid: JournalBytes.isValidName)
        } else {
            name = JournalBytes.isValidName(nameRaw) ? "" : nil
        }
        guard let name else {
            throw Problem(
                column: nameColumn,
                reason: "\(JournalBytes.quoted(nameRaw)) is not a journal field name "
                    + "(A-Z, 0-9 and _, not starting with a digit, at most 64 bytes)"
            )
        }
        skipWhitespace()
        try expect(UInt8(ascii: ":"), "expected ':' after a field name")
        skipWhitespace()
        switch address {
        case nil:
            try values(named: name, into: &entry)
        case .otherProtected:
            // Parsed for its syntax, then dropped, as the export decoder drops these fields.
            var discarded = JournalEntry()
            try values(named: "", into: &discarded)
        case .cursor, .realtime, .monotonic:
            try addressValue(address!, named: String(decoding: nameRaw, as: UTF8.self), into: &entry)
        }
    }

    private mutating func addressValue(
        _ address: JournalBytes.AddressField,
        named shownName: String,
        into entry: inout JournalEntry
    ) throws(Problem) {
        let column = position + 1
        if try null() { return }
        guard peek() == UInt8(ascii: "\"") else { throw problem("\(shownName) must be a string") }
        position += 1
        let value = try string()
        if address == .cursor {
            entry.cursor = String(decoding: value, as: UTF8.self)
            return
        }
        guard let number = value.withUnsafeBytes({ JournalBytes.decimal($0) }) else {
            let shown = value.withUnsafeBytes { JournalBytes.quoted($0) }
            throw Problem(column: column, reason: "\(shownName) is not a decimal number: \(shown)")
        }
        if address == .realtime { entry.realtime = number } else { entry.monotonic = number }
    }

    /// One member's value or values, appended to `entry` as fields called `name`.
    private mutating func values(named name: String, into entry: inout JournalEntry) throws(Problem) {
        guard let byte = peek() else { throw problem("the line ends where a value was expected") }
        switch byte {
        case UInt8(ascii: "\""):
            position += 1
            entry.fields.append(JournalField(name: name, value: try stringValue(at: entry.fields.count)))
        case UInt8(ascii: "["):
            position += 1
            skipWhitespace()
            if let first = peek(), isNumberStart(first) {
                entry.fields.append(JournalField(name: name, value: try byteArrayElements()))
            } else if peek() == UInt8(ascii: "]") {
                // journalctl writes an empty value as "", but an empty array of bytes means the same.
                position += 1
                entry.fields.append(JournalField(name: name, value: []))
            } else {
                try repeatedValues(named: name, into: &entry)
            }
        case UInt8(ascii: "n"):
            _ = try null()
        default:
            throw problem("\(describe(byte)) is not a journal field value (a string, an array of bytes, or null)")
        }
    }

    /// The elements of an array of values, after its `[`: strings, byte arrays or `null`.
    private mutating func repeatedValues(named name: String, into entry: inout JournalEntry) throws(Problem) {
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw problem("the line ends inside an array (a line cut short?)") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                entry.fields.append(JournalField(name: name, value: try stringValue(at: entry.fields.count)))
            case UInt8(ascii: "["):
                position += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") {
                    position += 1
                    entry.fields.append(JournalField(name: name, value: []))
                } else {
                    entry.fields.append(JournalField(name: name, value: try byteArrayElements()))
                }
            case UInt8(ascii: "n"):
                _ = try null()
            default:
                if isNumberStart(byte) {
                    throw problem("a number among a field's values: an array is either all bytes or all values")
                }
                throw problem("\(describe(byte)) is not a journal field value (a string, an array of bytes, or null)")
            }
            skipWhitespace()
            guard let separator = peek() else { throw problem("the line ends inside an array (a line cut short?)") }
            position += 1
            if separator == UInt8(ascii: "]") { return }
            guard separator == UInt8(ascii: ",") else {
                position -= 1
                throw problem("expected ',' or ']' in an array, found \(describe(separator))")
            }
        }
    }

    /// The numbers of a byte array, from its first element through its `]`.
    private mutating func byteArrayElements() throws(Problem) -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            skipWhitespace()
            bytes.append(try byteNumber())
            skipWhitespace()
            guard let separator = peek() else { throw problem("the line ends inside an array (a line cut short?)") }
            position += 1
            if separator == UInt8(ascii: "]") { return bytes }
            guard separator == UInt8(ascii: ",") else {
                position -= 1
                throw problem("expected ',' or ']' in an array of bytes, found \(describe(separator))")
            }
        }
    }

    /// One element of a byte array: a JSON integer from 0 to 255.
    private mutating func byteNumber() throws(Problem) -> UInt8 {
        let start = position
        guard let first = peek() else { throw problem("the line ends inside an array (a line cut short?)") }
        guard isNumberStart(first) else {
            throw problem("\(describe(first)) in an array of bytes: it holds only numbers from 0 to 255")
        }
        if first == UInt8(ascii: "-") {
            throw problem("a negative number in an array of bytes: it holds only numbers from 0 to 255")
        }
        var value = 0
        while let byte = peek(), (byte &- UInt8(ascii: "0")) < 10 {
            // Past three digits the number is out of range whatever follows; keep `value` from overflowing.
            value = min(value * 10 + Int(byte &- UInt8(ascii: "0")), 1000)
            position += 1
        }
        if position - start > 1 && first == UInt8(ascii: "0") {
            position = start
            throw problem("a number with a leading zero is not valid JSON")
        }
        if let next = peek(), next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            position = start
            throw problem("a fraction or exponent in an array of bytes: it holds only integers from 0 to 255")
        }
        guard value <= 255 else {
            let shown = String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<position]), as: UTF8.self)
            position = start
            throw problem("\(shown) in an array of bytes is not a byte (0 to 255)")
        }
        return UInt8(value)
    }

    /// Consumes `null` and counts it; `false`, consuming nothing, when the value is not `null`.
    private mutating func null() throws(Problem) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        guard line.count - position >= 4, line[position + 1] == UInt8(ascii: "u"),
            line[position + 2] == UInt8(ascii: "l"), line[position + 3] == UInt8(ascii: "l")
        else {
            throw problem("expected null")
        }
        position += 4
        omittedValues += 1
        return true
    }

    // MARK: Strings

    /// A string's bytes: where they stand in the line when it has no escapes, else decoded.
    private enum StringToken {
        case slice(Range<Int>)
        case decoded([UInt8])
    }

    /// The bytes of a string whose opening quote was consumed, through its closing quote.
    private mutating func string() throws(Problem) -> [UInt8] {
        switch try stringToken() {
        case .slice(let range): return JournalBytes.array(UnsafeRawBufferPointer(rebasing: line[range]))
        case .decoded(let bytes): return bytes
        }
    }

    /// `string()` for the value of the entry's `position`th field: equal to the previous line's, it is shared.
    private mutating func stringValue(at position: Int) throws(Problem) -> [UInt8] {
        switch try stringToken() {
        case .slice(let range): return cache.value(UnsafeRawBufferPointer(rebasing: line[range]), at: position)
        case .decoded(let bytes): return bytes
        }
    }

    /// Reads a string whose opening quote was consumed, through its closing quote.
    private mutating func stringToken() throws(Problem) -> StringToken {
        let start = position
        var index = position
        var ascii = true
        // Fast path: a string without escapes stays where it is in the line.
        while index < line.count {
            index = Self.skipPlainASCII(line, from: index)
            guard index < line.count else { break }
            let byte = line[index]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeRawBufferPointer(rebasing: line[start..<index])
                if !ascii && !JournalBytes.isValidUTF8(run) {
                    throw problem("a string that is not valid UTF-8")
                }
                position = index + 1
                return .slice(start..<index)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 {
                position = index
                throw problem("control character 0x\(JournalBytes.hex(byte)) in a string must be escaped")
            }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        if index == line.count {
            position = start - 1
            throw problem("unterminated string (a line cut short?)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(index - start + 16)
        position = start
        while true {
            let runStart = position
            var runASCII = true
            while position < line.count {
                let byte = line[position]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 {
                    throw problem("control character 0x\(JournalBytes.hex(byte)) in a string must be escaped")
                }
                if byte >= 0x80 { runASCII = false }
                position += 1
            }
            let run = UnsafeRawBufferPointer(rebasing: line[runStart..<position])
            // A backslash is ASCII, so it never splits a UTF-8 sequence: each run is checked on its own.
            if !runASCII && !JournalBytes.isValidUTF8(run) {
                position = runStart
                throw problem("a string that is not valid UTF-8")
            }
            bytes.append(contentsOf: run)
            guard position < line.count else {
                position = start - 1
                throw problem("unterminated string (a line cut short?)")
            }
            if line[position] == UInt8(ascii: "\"") {
                position += 1
                return .decoded(bytes)
            }
            try escape(into: &bytes)
        }
    }

    /// The index of the first byte at or after `start` that is a quote, a backslash, a control
    /// character or not ASCII, eight bytes at a time; `line.count` when there is none.
    @inline(__always)
    private static func skipPlainASCII(_ line: UnsafeRawBufferPointer, from start: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        var index = start
        while index + 8 <= line.count {
            let word = UInt64(littleEndian: line.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // A byte's high bit is set when it is zero after the XOR (quote, backslash), when it is below
            // 0x20, or when it is not ASCII. The lowest flagged byte is always a real match.
            let flags =
                (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
                    | word) & high
            if flags != 0 { return index + flags.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < line.count {
            let byte = line[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return index }
            index += 1
        }
        return index
    }

    /// Decodes the escape sequence at the backslash under `position`.
    private mutating func escape(into bytes: inout [UInt8]) throws(Problem) {
        guard position + 1 < line.count else { throw problem("the line ends inside an escape sequence") }
        let letter = line[position + 1]
        let simple: UInt8?
        switch letter {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): simple = nil
        default: throw problem("invalid escape sequence \\\(describeBare(letter))")
        }
        if let simple {
            bytes.append(simple)
            position += 2
            return
        }
        let escapeStart = position
        let unit = try hexUnit()
        let scalar: UInt32
        switch unit {
        case 0xD800...0xDBFF:
            guard position + 1 < line.count, line[position] == UInt8(ascii: "\\"),
                line[position + 1] == UInt8(ascii: "u")
            else {
                position = escapeStart
                throw problem("high surrogate \\u\(hex4(unit)) is not followed by a low surrogate")
            }
            let low = try hexUnit()
            guard (0xDC00...0xDFFF).contains(low) else {
                position = escapeStart
                throw problem("high surrogate \\u\(hex4(unit)) is followed by \\u\(hex4(low)), not a low surrogate")
            }
            scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        case 0xDC00...0xDFFF:
            position = escapeStart
            throw problem("low surrogate \\u\(hex4(unit)) without a high surrogate before it")
        default:
            scalar = unit
        }
        // Every value here is a valid scalar: surrogates were handled above.
        bytes.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
    }

    /// Reads `\uXXXX` at `position` and returns XXXX.
    private mutating func hexUnit() throws(Problem) -> UInt32 {
        guard line.count - position >= 6 else {
            throw problem("a \\u escape needs four hex digits (a line cut short?)")
        }
        var value: UInt32 = 0
        for offset in 2..<6 {
            let byte = line[position + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw problem("a \\u escape needs four hex digits, found \(describe(byte))")
            }
            value = value << 4 | UInt32(digit)
        }
        position += 6
        return value
    }

    // MARK: Small pieces

    @inline(__always)
    private func peek() -> UInt8? {
        position < line.count ? line[position] : nil
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < line.count {
            switch line[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): position += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ message: String) throws(Problem) {
        guard position < line.count else { throw problem("\(message); the line ends there (a line cut short?)") }
        guard line[position] == byte else { throw problem("\(message), found \(describe(line[position]))") }
        position += 1
    }

    private func isNumberStart(_ byte: UInt8) -> Bool {
        (byte &- UInt8(ascii: "0")) < 10 || byte == UInt8(ascii: "-")
    }

    private func problem(_ reason: String) -> Problem {
        Problem(column: position + 1, reason: reason)
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Unicode.Scalar(byte))'" : "byte 0x\(JournalBytes.hex(byte))"
    }

    private func describeBare(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? String(Unicode.Scalar(byte)) : "(byte 0x\(JournalBytes.hex(byte)))"
    }

    private func hex4(_ unit: UInt32) -> String {
        JournalBytes.hex(UInt8(unit >> 8)).uppercased() + JournalBytes.hex(UInt8(unit & 0xFF)).uppercased()
    }
}
