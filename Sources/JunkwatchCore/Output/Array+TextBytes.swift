/// Text appended to a byte buffer without making a `String` first: a replay formats a line per
/// decision straight into its output buffer.
extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of `string`.
    @inline(__always)
    mutating func append(utf8 string: String) {
        if string.utf8.withContiguousStorageIfAvailable({ append(contentsOf: $0) }) == nil {
            append(contentsOf: string.utf8)
        }
    }

    /// Appends the bytes of a literal.
    @inline(__always)
    mutating func append(_ literal: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends `value` in decimal, as `String(value)` would spell it.
    mutating func append(decimal value: some BinaryInteger) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        // Twenty digits hold any UInt64; written from the end, then copied in order.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}

/// Tests on eight bytes at once, for the writers' scans of names that nearly always need nothing
/// done to them. Each test is one of the well-known "any byte" bit tricks: it can flag a word
/// that has no such byte only where another byte of it has one, and never misses one.
enum ByteWord {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The eight bytes at `offset` (any alignment).
    @inline(__always)
    static func load(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        UInt64(
            littleEndian: UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        )
    }

    /// Whether all eight bytes are printable ASCII, 0x20 to 0x7E.
    @inline(__always)
    static func isPrintableASCII(_ word: UInt64) -> Bool {
        !hasByte(below: 0x20, in: word) && !hasByte(0x7F, in: word) && word & highs == 0
    }

    /// Whether none of the eight bytes can need a JSON escape: none is below 0x20, a quote, a
    /// backslash or DEL, and none is above 0x7F (U+2028 and U+2029 are escaped too).
    @inline(__always)
    static func needsNoJSONEscape(_ word: UInt64) -> Bool {
        isPrintableASCII(word) && !hasByte(0x22, in: word) && !hasByte(0x5C, in: word)
    }

    /// Whether any byte of `word` is below `limit` (at most 0x80).
    @inline(__always)
    private static func hasByte(below limit: UInt8, in word: UInt64) -> Bool {
        (word &- ones &* UInt64(limit)) & ~word & highs != 0
    }

    /// Whether any byte of `word` is `byte`.
    @inline(__always)
    private static func hasByte(_ byte: UInt8, in word: UInt64) -> Bool {
        let zeroWhereEqual = word ^ (ones &* UInt64(byte))
        return (zeroWhereEqual &- ones) & ~zeroWhereEqual & highs != 0
    }
}
