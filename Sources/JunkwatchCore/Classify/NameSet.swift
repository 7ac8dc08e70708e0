/// A set of names that compare without regard to case, checked without allocating for ASCII
/// names (mailbox names and IMAP keywords nearly always are).
struct NameSet: Sendable, Hashable {
    /// The names, lowercased, as UTF-8.
    private let names: [[UInt8]]

    init(_ names: [String]) {
        self.names = names.map { Array($0.lowercased().utf8) }
    }

    func contains(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            if bytes.allSatisfy({ $0 < 0x80 }) {
                return names.contains { candidate in
                    candidate.count == bytes.count
                        && zip(candidate, bytes).allSatisfy { $0 == Self.lowercase($1) }
                }
            }
            let lowered = Array(String(decoding: bytes, as: UTF8.self).lowercased().utf8)
            return names.contains(lowered)
        }
    }

    @inline(__always)
    private static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
