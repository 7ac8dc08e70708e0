#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Byte-level helpers shared by the stream decoders.
enum JournalBytes {
    /// journald's limit on one field's value: `DATA_SIZE_MAX` in systemd (768 MiB).
    static let maximumFieldSize = 768 << 20
    /// journald's limit on one entry: `ENTRY_SIZE_MAX` in systemd (770 MiB).
    static let maximumEntrySize = 770 << 20

    /// Whether `byte` may appear in a field name: `A-Z`, `0-9`, `_`.
    @inline(__always)
    static func isNameByte(_ byte: UInt8) -> Bool {
        // Two range checks compile to fewer instructions than a table here.
        (byte &- UInt8(ascii: "A")) < 26 || (byte &- UInt8(ascii: "0")) < 10 || byte == UInt8(ascii: "_")
    }

    /// Whether `bytes` is a field name journald accepts, trusted (`_`) names included.
    static func isValidName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first, bytes.count <= JournalFieldName.maximumLength else { return false }
        if (first &- UInt8(ascii: "0")) < 10 { return false }
        for byte in bytes where !isNameByte(byte) { return false }
        return true
    }

    /// Makes a `String` of a field name already checked to be ASCII.
    @inline(__always)
    static func name(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Copies bytes into a new array.
    @inline(__always)
    static func array(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        // Measured: about twice as fast as `init(unsafeUninitializedCapacity:)`, which looks up the
        // array storage's generic metadata on every call.
        [UInt8](bytes.assumingMemoryBound(to: UInt8.self))
    }

    /// The address field a name stands for, when it is one.
    enum AddressField {
        case cursor, realtime, monotonic, otherProtected
    }

    /// Classifies a name that starts with `__`; `nil` for every other name.
    @inline(__always)
    static func addressField(_ name: UnsafeRawBufferPointer) -> AddressField? {
        guard name.count >= 2, name[0] == UInt8(ascii: "_"), name[1] == UInt8(ascii: "_") else { return nil }
        if equals(name, "__CURSOR") { return .cursor }
        if equals(name, "__REALTIME_TIMESTAMP") { return .realtime }
        if equals(name, "__MONOTONIC_TIMESTAMP") { return .monotonic }
        return .otherProtected
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        bytes.count == text.utf8CodeUnitCount && memcmp(bytes.baseAddress!, text.utf8Start, bytes.count) == 0
    }

    /// Parses an unsigned decimal number with no sign, spaces or leading `+`; `nil` when it is not one or overflows.
    static func decimal(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard !bytes.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }

    /// Whether `bytes` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                upper = 0x9F
            case 0xF0:
                length = 4
                lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                upper = 0x8F
            default: return false
            }
            guard index + length <= count else { return false }
            let second = bytes[index + 1]
            guard second >= lower && second <= upper else { return false }
            for next in (index + 2)..<(index + length) where bytes[next] & 0xC0 != 0x80 {
                return false
            }
            index += length
        }
        return true
    }

    /// A field name or other bytes quoted for an error message, cut short and with odd bytes escaped.
    static func quoted(_ bytes: UnsafeRawBufferPointer, limit: Int = 64) -> String {
        var text = "\""
        for byte in bytes.prefix(limit) {
            switch byte {
            case 0x20..<0x7F where byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\"):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                text += "\\x" + hex(byte)
            }
        }
        text += bytes.count > limit ? "...\"" : "\""
        return text
    }

    /// Two lowercase hex digits.
    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".unicodeScalars)
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
