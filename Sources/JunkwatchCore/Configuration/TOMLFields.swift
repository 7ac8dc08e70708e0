import TOMLKit

/// A problem with one key of a TOML document: the dotted key and what is wrong with it.
struct TOMLProblem: Error, Equatable {
    var key: String
    var message: String
}

/// Strict, typed reading of one TOML table.
///
/// Every key read is remembered, so that `checkNoUnknownKeys()` can reject the keys nobody
/// asked for: a misspelt key is an error, not a silently ignored setting.
struct TOMLFields {
    private let table: TOMLTable
    /// The dotted path of this table, `""` at the top.
    let path: String
    private var read: Set<String> = []

    init(_ table: TOMLTable, path: String = "") {
        self.table = table
        self.path = path
    }

    /// Parses a document.
    /// - Throws: a `TOMLProblem` whose key is `line:column` of the syntax error.
    static func parse(_ text: String) throws(TOMLProblem) -> TOMLFields {
        do {
            return TOMLFields(try TOMLTable(string: text))
        } catch let error as TOMLParseError {
            let position = error.source.begin
            throw TOMLProblem(key: "\(position.line):\(position.column)", message: error.description)
        } catch {
            throw TOMLProblem(key: "", message: String(describing: error))
        }
    }

    /// The dotted name of `key` in this table.
    func name(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// Whether the table has `key`.
    func has(_ key: String) -> Bool {
        table.contains(key: key)
    }

    private mutating func value(_ key: String) -> TOMLValue? {
        read.insert(key)
        return table[key]?.tomlValue
    }

    private func problem(_ key: String, _ message: String) -> TOMLProblem {
        TOMLProblem(key: name(key), message: message)
    }

    private static func describe(_ type: TOMLType) -> String {
        switch type {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .int: "an integer"
        case .double: "a floating-point number"
        case .bool: "a boolean"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
    }

    mutating func string(_ key: String) throws(TOMLProblem) -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.string else {
            throw problem(key, "expected a string, found \(Self.describe(value.type))")
        }
        return string
    }

    mutating func bool(_ key: String) throws(TOMLProblem) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let bool = value.bool else {
            throw problem(key, "expected true or false, found \(Self.describe(value.type))")
        }
        return bool
    }

    mutating func int(_ key: String) throws(TOMLProblem) -> Int? {
        guard let value = value(key) else { return nil }
        guard let int = value.int else {
            throw problem(key, "expected an integer, found \(Self.describe(value.type))")
        }
        return int
    }

    mutating func strings(_ key: String) throws(TOMLProblem) -> [String]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else {
            throw problem(key, "expected an array of strings, found \(Self.describe(value.type))")
        }
        var strings: [String] = []
        for element in array {
            guard let string = element.string else {
                throw problem(key, "expected an array of strings, found \(Self.describe(element.type)) in it")
            }
            strings.append(string)
        }
        return strings
    }

    mutating func stringArrays(_ key: String) throws(TOMLProblem) -> [[String]]? {
        guard let value = value(key) else { return nil }
        let expected = "expected an array of arrays of strings"
        guard let array = value.array else { throw problem(key, "\(expected), found \(Self.describe(value.type))") }
        var result: [[String]] = []
        for element in array {
            guard let inner = element.array else {
                throw problem(key, "\(expected), found \(Self.describe(element.type)) in it")
            }
            var strings: [String] = []
            for item in inner {
                guard let string = item.string else {
                    throw problem(key, "\(expected), found \(Self.describe(item.type)) in it")
                }
                strings.append(string)
            }
            result.append(strings)
        }
        return result
    }

    mutating func table(_ key: String) throws(TOMLProblem) -> TOMLFields? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else {
            throw problem(key, "expected a table ([\(name(key))]), found \(Self.describe(value.type))")
        }
        return TOMLFields(table, path: name(key))
    }

    /// An array of tables (`[[key]]`); each element's path is `key[n]`.
    mutating func tables(_ key: String) throws(TOMLProblem) -> [TOMLFields]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else {
            throw problem(key, "expected an array of tables ([[\(name(key))]]), found \(Self.describe(value.type))")
        }
        var tables: [TOMLFields] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                throw problem(
                    key,
                    "expected an array of tables ([[\(name(key))]]), found \(Self.describe(element.type))"
                )
            }
            tables.append(TOMLFields(table, path: "\(name(key))[\(index + 1)]"))
        }
        return tables
    }

    /// Rejects any key that was not read.
    func checkNoUnknownKeys(known: [String]? = nil) throws(TOMLProblem) {
        for key in table.keys.sorted() where !read.contains(key) {
            let candidates = known ?? Array(read)
            let hint = Self.closest(to: key, in: candidates).map { " (did you mean \($0)?)" } ?? ""
            throw problem(key, "unknown key\(hint)")
        }
    }

    /// The candidate within two edits of `key`, if there is one.
    static func closest(to key: String, in candidates: [String]) -> String? {
        candidates
            .map { ($0, editDistance(key, $0)) }
            .filter { $0.1 <= 2 }
            .min { $0.1 < $1.1 }?.0
    }

    private static func editDistance(_ left: String, _ right: String) -> Int {
        let a = Array(left.utf8)
        let b = Array(right.utf8)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
