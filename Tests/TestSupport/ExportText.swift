/// Builds journal export format text field by field, the way `journalctl -o export` writes it.
public struct ExportText {
    public init() {}

    /// The text so far.
    public private(set) var bytes: [UInt8] = []

    /// Appends `NAME=value` and a newline.
    public mutating func text(_ name: String, _ value: String) {
        bytes += Array(name.utf8) + [UInt8(ascii: "=")] + Array(value.utf8) + [UInt8(ascii: "\n")]
    }

    /// Appends `NAME`, a newline, the 64-bit little-endian length, the value and a newline.
    public mutating func binary(_ name: String, _ value: [UInt8]) {
        bytes += Array(name.utf8) + [UInt8(ascii: "\n")]
        bytes += littleEndian(UInt64(value.count))
        bytes += value + [UInt8(ascii: "\n")]
    }

    /// Ends the entry with an empty line.
    public mutating func endEntry() {
        bytes.append(UInt8(ascii: "\n"))
    }

    /// The eight bytes of `value`, least significant first.
    public func littleEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
