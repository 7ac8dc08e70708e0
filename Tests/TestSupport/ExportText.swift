public import SystemdJournal

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

    /// The boot ID ``entries(_:)`` gives every entry.
    public static let boot = "0123456789abcdef0123456789abcdef"

    /// Export text of whole entries of one boot at the given times (microseconds), in order; a
    /// value with a newline is written in the binary form, as journalctl does.
    public static func entries(_ entries: [(realtime: UInt64, fields: [JournalField])]) -> [UInt8] {
        var export = ExportText()
        for (index, entry) in entries.enumerated() {
            export.text("__REALTIME_TIMESTAMP", String(entry.realtime))
            export.text("__MONOTONIC_TIMESTAMP", String(1_000_000 + index))
            export.text("_BOOT_ID", boot)
            for field in entry.fields {
                if field.value.contains(UInt8(ascii: "\n")) {
                    export.binary(field.name, field.value)
                } else {
                    export.text(field.name, field.text ?? "")
                }
            }
            export.endEntry()
        }
        return export.bytes
    }
}
