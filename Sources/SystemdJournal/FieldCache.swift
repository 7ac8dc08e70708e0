#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The previous entry's field names and short values, by position, for the next entry to reuse.
///
/// Entries from one source repeat their field names in the same order, and most of their values
/// (`_BOOT_ID`, `_SYSTEMD_UNIT`, `_HOSTNAME`, `_EXE` ...) too. Reusing the previous entry's `String`
/// and `[UInt8]` when the bytes are equal spares validating and allocating them again: about a quarter of
/// the export decoder's time on dovecot's entries. The arrays are shared, which value semantics make safe.
struct FieldCache: Sendable {
    /// Positions past this are not cached: an entry with that many fields is not the common case.
    private static let positions = 128
    /// Longer values are rarely repeated (messages), and are not worth holding on to.
    private static let longestValue = 256
    private static let slotSize = JournalFieldName.maximumLength

    /// Name `i`'s bytes sit at `i * slotSize`; `nameLengths[i]` is -1 for an empty slot.
    private var nameBytes: [UInt8] = []
    private var nameLengths: [Int] = []
    private var names: [String] = []
    private var values: [[UInt8]] = []

    /// The `String` for `raw`, the name of the entry's `position`th field; `nil` when `isValid` rejects it.
    ///
    /// Only valid names are cached, so a name equal to the cached one is not checked again.
    @inline(__always)
    mutating func name(
        _ raw: UnsafeRawBufferPointer,
        at position: Int,
        isValid: (UnsafeRawBufferPointer) -> Bool
    ) -> String? {
        if position < nameLengths.count && nameLengths[position] == raw.count {
            let same = nameBytes.withUnsafeBytes { slots in
                memcmp(slots.baseAddress! + position * Self.slotSize, raw.baseAddress!, raw.count) == 0
            }
            if same { return names[position] }
        }
        guard isValid(raw) else { return nil }
        let name = JournalBytes.name(raw)
        guard position < Self.positions, raw.count <= Self.slotSize else { return name }
        grow(to: position)
        nameBytes.withUnsafeMutableBytes { slots in
            (slots.baseAddress! + position * Self.slotSize).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
        }
        nameLengths[position] = raw.count
        names[position] = name
        return name
    }

    /// The array for `raw`, the value of the entry's `position`th field.
    @inline(__always)
    mutating func value(_ raw: UnsafeRawBufferPointer, at position: Int) -> [UInt8] {
        guard position < Self.positions, raw.count <= Self.longestValue else { return JournalBytes.array(raw) }
        if position < values.count {
            let same = values[position].withUnsafeBytes { cached in
                cached.count == raw.count
                    && (raw.isEmpty || memcmp(cached.baseAddress!, raw.baseAddress!, raw.count) == 0)
            }
            if same { return values[position] }
        }
        let value = JournalBytes.array(raw)
        grow(to: position)
        values[position] = value
        return value
    }

    private mutating func grow(to position: Int) {
        while names.count <= position {
            nameBytes.append(contentsOf: repeatElement(0, count: Self.slotSize))
            nameLengths.append(-1)
            names.append("")
            values.append([])
        }
    }
}
