/// A JSON object written key by key, in the order the keys are added: records and summaries
/// print with a stable, documented key order, which `JSONEncoder` does not promise.
public struct JSONObject: Sendable {
    private var body = ""

    public init() {}

    /// The object as one line of JSON.
    public var text: String { "{" + body + "}" }

    /// Adds a string value, or `null`.
    public func string(_ key: String, _ value: String?) -> JSONObject {
        raw(key, value.map(Self.quoted) ?? "null")
    }

    /// Adds an integer value, or `null`.
    public func number(_ key: String, _ value: Int?) -> JSONObject {
        raw(key, value.map { String($0) } ?? "null")
    }

    /// Adds an array of strings, or `null`.
    public func strings(_ key: String, _ values: [String]?) -> JSONObject {
        raw(key, values.map { "[" + $0.map(Self.quoted).joined(separator: ",") + "]" } ?? "null")
    }

    /// Adds a value that is already JSON (a number, a nested object), or `null`.
    public func raw(_ key: String, _ json: String?) -> JSONObject {
        var copy = self
        if !copy.body.isEmpty { copy.body += "," }
        copy.body += Self.quoted(key) + ":" + (json ?? "null")
        return copy
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as is.
    public static func quoted(_ string: String) -> String {
        // Most values need no escaping: printable ASCII without quotes or backslashes.
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) {
            return "\"" + string + "\""
        }
        var bytes: [UInt8] = []
        appendQuoted(string, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `string` as a JSON string literal, as `quoted` spells it, to `buffer`.
    ///
    /// Escaped: `"`, `\`, the C0 controls and DEL (`\n`, `\r`, `\t` by name, the rest as
    /// `\u00xx`), and U+2028 and U+2029, which end a line in JavaScript. The rest is copied as
    /// it is: a `String` is valid UTF-8, so it stays valid.
    static func appendQuoted(_ string: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        if string.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, to: &buffer) }) == nil {
            Array(string.utf8).withUnsafeBufferPointer { appendEscaped($0, to: &buffer) }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        // Runs of bytes that need no escape are copied in one go; most values are one such run.
        var run = 0
        var index = 0
        while index < bytes.count {
            // Eight bytes at a time while none of them can need an escape.
            while index + 8 <= bytes.count && ByteWord.needsNoJSONEscape(ByteWord.load(bytes, at: index)) {
                index += 8
            }
            guard index < bytes.count else { break }
            let byte = bytes[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xE2 else {
                index += 1
                continue
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
            index += 1
            switch byte {
            case UInt8(ascii: "\""): buffer.append("\\\"")
            case UInt8(ascii: "\\"): buffer.append("\\\\")
            case UInt8(ascii: "\n"): buffer.append("\\n")
            case UInt8(ascii: "\r"): buffer.append("\\r")
            case UInt8(ascii: "\t"): buffer.append("\\t")
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9; every other E2 sequence is copied.
                if index + 1 < bytes.count && bytes[index] == 0x80 && (bytes[index + 1] & 0xFE) == 0xA8 {
                    buffer.append(bytes[index + 1] == 0xA8 ? "\\u2028" : "\\u2029")
                    index += 2
                } else {
                    buffer.append(byte)
                }
            default:
                // The other C0 controls, and DEL.
                let hex: StaticString = "0123456789abcdef"
                buffer.append("\\u00")
                buffer.append(hex.utf8Start[Int(byte >> 4)])
                buffer.append(hex.utf8Start[Int(byte & 0x0F)])
            }
            run = index
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
    }
}
