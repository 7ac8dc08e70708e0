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
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
