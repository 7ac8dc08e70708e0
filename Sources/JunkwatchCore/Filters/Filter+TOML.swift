import Foundation
import SystemdJournal

extension Filter {
    /// Loads a filter file.
    /// - Throws: `FilterError` naming the file, and the rule and key at fault.
    public static func load(file path: String) throws(FilterError) -> Filter {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FilterError(file: path, problem: "cannot read the file: \(Self.reason(error))")
        }
        let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try Filter(toml: text, file: path, defaultName: base)
    }

    /// Reads a filter from TOML text.
    ///
    /// The format:
    /// ```toml
    /// name = "dovecot-mail-log"        # optional: the file name without .toml
    /// description = "..."             # optional
    /// match = [["_SYSTEMD_UNIT=dovecot.service"], ["SYSLOG_IDENTIFIER=dovecot"]]  # optional, this default
    /// field = "MESSAGE"               # optional, this default
    ///
    /// [[rule]]
    /// name = "copy"                   # unique within the file
    /// event = "copy"                  # copy, save, flag or expunge
    /// prefilter = "copy from "        # a literal every matching line contains
    /// pattern = '^(?<service>[a-z]+)\((?<user>.+?)\)...'   # Swift Regex, named captures
    /// ```
    /// Every pattern needs the `service`, `user` and `mailbox` captures, a copy rule `source`
    /// too, and a flag rule `flags`; the other captures (`session`, `pid`, `uid`, `msgid`,
    /// `size`) are optional, and no other name is allowed.
    /// - Parameters:
    ///   - file: where the text came from, for error messages.
    ///   - defaultName: the name when the text has no `name` key.
    /// - Throws: `FilterError` naming the file, the rule and the key at fault.
    public init(toml text: String, file: String, defaultName: String) throws(FilterError) {
        do {
            var top = try TOMLFields.parse(text)
            let name = try top.string("name") ?? defaultName
            guard !name.isEmpty else { throw TOMLProblem(key: "name", message: "must not be empty") }
            let description = try top.string("description") ?? ""
            var match = Filter.defaultMatch
            if let groups = try top.stringArrays("match") {
                guard !groups.isEmpty else {
                    throw TOMLProblem(
                        key: "match",
                        message: "must have at least one group; leave it out for the default"
                    )
                }
                do {
                    match = try JournalMatch(groups)
                } catch {
                    throw TOMLProblem(key: "match", message: String(describing: error))
                }
            }
            let field = try top.string("field") ?? Filter.defaultField
            do {
                try JournalFieldName.validate(field, allowTrusted: true)
            } catch {
                throw TOMLProblem(key: "field", message: String(describing: error))
            }
            guard let ruleTables = try top.tables("rule"), !ruleTables.isEmpty else {
                throw TOMLProblem(key: "rule", message: "a filter needs at least one [[rule]]")
            }
            try top.checkNoUnknownKeys()
            var rules: [Rule] = []
            for (index, table) in ruleTables.enumerated() {
                let rule = try Self.rule(table, number: index + 1, file: file)
                if rules.contains(where: { $0.name == rule.name }) {
                    throw FilterError(file: file, rule: rule.name, key: "name", problem: "another rule has this name")
                }
                rules.append(rule)
            }
            self.init(name: name, description: description, match: match, field: field, rules: rules, file: file)
        } catch let error as FilterError {
            throw error
        } catch let problem as TOMLProblem {
            throw FilterError(file: file, key: problem.key, problem: problem.message)
        } catch {
            throw FilterError(file: file, problem: String(describing: error))
        }
    }

    private static func rule(_ table: TOMLFields, number: Int, file: String) throws(FilterError) -> Rule {
        var table = table
        var label = "#\(number)"
        do {
            guard let name = try table.string("name"), !name.isEmpty else {
                throw TOMLProblem(key: "name", message: "every rule needs a name")
            }
            label = name
            guard let eventName = try table.string("event") else {
                throw TOMLProblem(key: "event", message: "missing; one of copy, save, flag, expunge")
            }
            guard let event = MailEvent.Kind(rawValue: eventName) else {
                throw TOMLProblem(key: "event", message: "\"\(eventName)\" is not one of copy, save, flag, expunge")
            }
            guard let prefilter = try table.string("prefilter") else {
                throw TOMLProblem(key: "prefilter", message: "missing; a literal that every matching line contains")
            }
            guard let pattern = try table.string("pattern") else {
                throw TOMLProblem(key: "pattern", message: "missing")
            }
            try table.checkNoUnknownKeys()
            do {
                return try Rule(name: name, event: event, prefilter: prefilter, pattern: pattern)
            } catch {
                throw FilterError(file: file, rule: name, key: error.key, problem: error.problem)
            }
        } catch let error as FilterError {
            throw error
        } catch let problem as TOMLProblem {
            // The key inside the rule table is enough: the rule is named separately.
            let key = problem.key.split(separator: ".").last.map(String.init) ?? problem.key
            throw FilterError(file: file, rule: label, key: key, problem: problem.message)
        } catch {
            throw FilterError(file: file, rule: label, problem: String(describing: error))
        }
    }

    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return POSIXError(code).localizedDescription
        }
        return nsError.localizedDescription
    }
}
