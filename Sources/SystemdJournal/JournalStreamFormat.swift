/// The machine-readable formats of `journalctl` that the stream decoders read.
public enum JournalStreamFormat: String, Sendable, Hashable, CaseIterable {
    /// `journalctl -o export`, read by `ExportDecoder`.
    case export
    /// `journalctl -o json` or `-o json-seq`, read by `JSONEntryDecoder`.
    case json

    /// Tells the format from the first bytes of a stream; `nil` when they fit neither, or are only white space.
    ///
    /// JSON starts with `{` after optional white space (and a json-seq record separator); the
    /// export format starts with a field name followed by `=` or a newline. A name that is still
    /// going where `firstBytes` ends counts as export.
    public static func detect(firstBytes: [UInt8]) -> JournalStreamFormat? {
        var index = 0
        while index < firstBytes.count {
            switch firstBytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"), 0x1E: index += 1
            default:
                return detect(firstBytes, from: index)
            }
        }
        return nil
    }

    private static func detect(_ bytes: [UInt8], from start: Int) -> JournalStreamFormat? {
        if bytes[start] == UInt8(ascii: "{") { return .json }
        if (bytes[start] &- UInt8(ascii: "0")) < 10 { return nil }
        var index = start
        while index < bytes.count && index - start <= JournalFieldName.maximumLength {
            let byte = bytes[index]
            if JournalBytes.isNameByte(byte) {
                index += 1
                continue
            }
            let isEnd = byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\n")
            return isEnd && index > start ? .export : nil
        }
        return index - start <= JournalFieldName.maximumLength ? .export : nil
    }
}
