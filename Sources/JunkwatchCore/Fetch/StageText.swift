/// Small text helpers shared by the fetch and learn stages.
enum StageText {
    /// `text` without leading and trailing spaces, tabs, CR and LF.
    static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let start = text.firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = text.lastIndex(where: { !isSpace($0) })!
        return String(text[start...end])
    }

    /// What a program wrote to stderr, made fit for one log line: decoded leniently, lines joined
    /// with " / ", cut to `limit` characters.
    static func oneLine(_ bytes: [UInt8], limit: Int = 600) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            .map { trimmed(String($0)) }
            .filter { !$0.isEmpty }
        let joined = lines.joined(separator: " / ")
        guard joined.count > limit else { return joined }
        return String(joined.prefix(limit)) + "..."
    }

    /// The decimal number right after the first `marker` in `text`.
    static func number(after marker: String, in text: String) -> Int? {
        let haystack = Array(text.utf8)
        let needle = Array(marker.utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            let digits = haystack[(start + needle.count)...].prefix(while: {
                $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")
            })
            return Int(String(decoding: digits, as: UTF8.self))
        }
        return nil
    }

    /// `text` quoted for a log line, so that spaces and empty values stay visible.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
