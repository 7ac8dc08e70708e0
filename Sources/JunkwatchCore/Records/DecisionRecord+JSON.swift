extension DecisionRecord {
    /// The record as one line of JSON, keys in the documented order, without a trailing newline.
    ///
    /// Written by hand rather than with `JSONEncoder`, whose key order is not the record's and
    /// not stable across platforms; `JSONDecoder` reads it back.
    public func jsonLine() -> String {
        var json = JSONLine()
        json.add(CodingKeys.user, string: user)
        json.add(CodingKeys.verdict, string: verdict.rawValue)
        json.add(CodingKeys.mailbox, string: mailbox)
        json.add(CodingKeys.uid, number: uid.map { String($0) })
        json.add(CodingKeys.msgid, string: msgid)
        json.add(CodingKeys.size, number: size.map { String($0) })
        json.add(CodingKeys.learner, string: learner)
        json.add(CodingKeys.outcome, string: outcome?.rawValue)
        json.add(CodingKeys.reason, string: reason)
        json.add(CodingKeys.sourceCursor, string: sourceCursor)
        json.add(CodingKeys.sourceRealtime, number: sourceRealtime.map { String($0) })
        json.add(CodingKeys.latency, number: latency.flatMap { $0.isFinite ? String($0) : nil })
        json.add(CodingKeys.filter, string: filter)
        json.add(CodingKeys.rule, string: rule)
        return json.finish()
    }
}

/// A JSON object written key by key.
struct JSONLine {
    private var text = "{"
    private var first = true

    private mutating func key(_ key: DecisionRecord.CodingKeys) {
        if !first { text += "," }
        first = false
        text += "\""
        text += key.stringValue
        text += "\":"
    }

    mutating func add(_ name: DecisionRecord.CodingKeys, string: String?) {
        key(name)
        guard let string else {
            text += "null"
            return
        }
        text += Self.quoted(string)
    }

    mutating func add(_ name: DecisionRecord.CodingKeys, number: String?) {
        key(name)
        text += number ?? "null"
    }

    func finish() -> String {
        text + "}"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as is.
    static func quoted(_ string: String) -> String {
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
