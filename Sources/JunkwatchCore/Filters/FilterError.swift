/// A filter file that cannot be used, worded to name the file, the rule and what is wrong.
///
/// `description` reads like `Filters/x.toml: rule "copy": pattern: no (?<user>...) capture`.
public struct FilterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The filter file, or the filter's name when it did not come from a file.
    public var file: String
    /// The rule's name (or `#n` for the n-th rule when it has none), when the problem is in a rule.
    public var rule: String?
    /// The key at fault, when there is one.
    public var key: String?
    /// What is wrong, in a sentence fragment.
    public var problem: String

    /// Creates an error.
    public init(file: String, rule: String? = nil, key: String? = nil, problem: String) {
        self.file = file
        self.rule = rule
        self.key = key
        self.problem = problem
    }

    /// The error as one line: file, rule, key and problem, separated by colons.
    public var description: String {
        var parts = [file]
        if let rule { parts.append("rule \"\(rule)\"") }
        if let key { parts.append(key) }
        parts.append(problem)
        return parts.joined(separator: ": ")
    }
}
