import Foundation
import JunkwatchCore
import TestSupport
import Testing

/// A rule table with one key replaced or removed.
func ruleTOML(
    name: String? = "copy",
    event: String? = "copy",
    prefilter: String? = "copy from ",
    pattern: String? =
        #"^(?<service>[a-z]+)\((?<user>.+?)\): copy from (?<source>.+?): box=(?<mailbox>.+?), uid=(?<uid>\d+)"#,
    extra: String = ""
) -> String {
    var lines = ["[[rule]]"]
    if let name { lines.append("name = \"\(name)\"") }
    if let event { lines.append("event = \"\(event)\"") }
    if let prefilter { lines.append("prefilter = \"\(prefilter)\"") }
    if let pattern { lines.append("pattern = '\(pattern)'") }
    if !extra.isEmpty { lines.append(extra) }
    return lines.joined(separator: "\n") + "\n"
}

/// A broken filter file and what its error must say.
struct BrokenFilter: Sendable, CustomTestStringConvertible {
    var label: String
    var toml: String
    var rule: String?
    var key: String?
    var problem: String

    var testDescription: String { label }
}

let brokenFilters: [BrokenFilter] = [
    BrokenFilter(label: "TOML syntax", toml: "description = \"x\n" + ruleTOML(), key: "1:17", problem: "string"),
    BrokenFilter(
        label: "unknown top key",
        toml: "descripton = \"x\"\n" + ruleTOML(),
        key: "descripton",
        problem: "unknown key (did you mean description?)"
    ),
    BrokenFilter(
        label: "unknown rule key",
        toml: ruleTOML(extra: "pattren = 'x'"),
        rule: "copy",
        key: "pattren",
        problem: "unknown key (did you mean pattern?)"
    ),
    BrokenFilter(label: "no rules", toml: "description = \"x\"\n", key: "rule", problem: "at least one [[rule]]"),
    BrokenFilter(
        label: "rule without a name",
        toml: ruleTOML(name: nil),
        rule: "#1",
        key: "name",
        problem: "every rule needs a name"
    ),
    BrokenFilter(
        label: "missing pattern",
        toml: ruleTOML(pattern: nil),
        rule: "copy",
        key: "pattern",
        problem: "missing"
    ),
    BrokenFilter(
        label: "empty pattern",
        toml: ruleTOML(pattern: ""),
        rule: "copy",
        key: "pattern",
        problem: "must not be empty"
    ),
    BrokenFilter(
        label: "missing prefilter",
        toml: ruleTOML(prefilter: nil),
        rule: "copy",
        key: "prefilter",
        problem: "missing"
    ),
    BrokenFilter(
        label: "empty prefilter",
        toml: ruleTOML(prefilter: ""),
        rule: "copy",
        key: "prefilter",
        problem: "must not be empty"
    ),
    BrokenFilter(
        label: "pattern that does not compile",
        toml: ruleTOML(pattern: "(?<user>[a-"),
        rule: "copy",
        key: "pattern",
        problem: "does not compile"
    ),
    BrokenFilter(
        label: "unknown capture",
        toml: ruleTOML(pattern: "(?<service>a)(?<user>b)(?<mailbox>c)(?<source>d)(?<folder>e)"),
        rule: "copy",
        key: "pattern",
        problem: "unknown capture (?<folder>...)"
    ),
    BrokenFilter(
        label: "no user capture",
        toml: ruleTOML(pattern: "(?<service>a)(?<mailbox>c)(?<source>d)"),
        rule: "copy",
        key: "pattern",
        problem: "no (?<user>...) capture"
    ),
    BrokenFilter(
        label: "no mailbox capture",
        toml: ruleTOML(pattern: "(?<service>a)(?<user>c)(?<source>d)"),
        rule: "copy",
        key: "pattern",
        problem: "no (?<mailbox>...) capture"
    ),
    BrokenFilter(
        label: "copy without source",
        toml: ruleTOML(pattern: "(?<service>a)(?<user>b)(?<mailbox>c)"),
        rule: "copy",
        key: "pattern",
        problem: "no (?<source>...) capture, which a copy rule needs"
    ),
    BrokenFilter(
        label: "flag without flags",
        toml: ruleTOML(event: "flag", pattern: "(?<service>a)(?<user>b)(?<mailbox>c)"),
        rule: "copy",
        key: "pattern",
        problem: "no (?<flags>...) capture, which a flag rule needs"
    ),
    BrokenFilter(
        label: "unknown event",
        toml: ruleTOML(event: "move"),
        rule: "copy",
        key: "event",
        problem: "\"move\" is not one of copy, save, flag, expunge"
    ),
    BrokenFilter(
        label: "pattern of the wrong type",
        toml: "[[rule]]\nname = \"copy\"\nevent = \"copy\"\nprefilter = \"x\"\npattern = 3\n",
        rule: "copy",
        key: "pattern",
        problem: "expected a string, found an integer"
    ),
    BrokenFilter(
        label: "two rules with one name",
        toml: ruleTOML() + ruleTOML(),
        rule: "copy",
        key: "name",
        problem: "another rule has this name"
    ),
    BrokenFilter(
        label: "bad journal match",
        toml: "match = [[\"dovecot.service\"]]\n" + ruleTOML(),
        key: "match",
        problem: "expected FIELD=value"
    ),
    BrokenFilter(
        label: "empty journal match",
        toml: "match = []\n" + ruleTOML(),
        key: "match",
        problem: "at least one group"
    ),
    BrokenFilter(
        label: "bad field",
        toml: "field = \"message\"\n" + ruleTOML(),
        key: "field",
        problem: "lowercase letters are not allowed"
    ),
    BrokenFilter(
        label: "rule as a plain table",
        toml: "[rule]\nname = \"x\"\n",
        key: "rule",
        problem: "expected an array of tables ([[rule]])"
    ),
]

@Suite("Loading filter files")
struct FilterLoaderTests {
    @Test("a broken filter is an error naming the file, the rule and what is wrong", arguments: brokenFilters)
    func broken(_ broken: BrokenFilter) throws {
        try withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("site.toml").path
            try broken.toml.write(toFile: file, atomically: true, encoding: .utf8)
            let error = #expect(throws: FilterError.self) { try Filter.load(file: file) }
            guard let error else { return }
            #expect(error.file == file)
            #expect(error.rule == broken.rule)
            #expect(error.key == broken.key)
            #expect(error.problem.contains(broken.problem), "\(error.problem)")
            #expect(error.description.hasPrefix(file + ": "))
            if let rule = broken.rule { #expect(error.description.contains("rule \"\(rule)\"")) }
        }
    }

    @Test("an error reads as one line a person can act on")
    func description() {
        let error = FilterError(
            file: "/etc/junkwatch/filters.d/x.toml",
            rule: "copy",
            key: "pattern",
            problem: "no (?<user>...) capture"
        )
        #expect(error.description == #"/etc/junkwatch/filters.d/x.toml: rule "copy": pattern: no (?<user>...) capture"#)
    }

    @Test("a minimal filter takes its name from the file and the dovecot defaults")
    func defaults() throws {
        try withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("site-sieve.toml").path
            try ruleTOML().write(toFile: file, atomically: true, encoding: .utf8)
            let filter = try Filter.load(file: file)
            #expect(filter.name == "site-sieve")
            #expect(filter.description == "")
            #expect(filter.field == "MESSAGE")
            #expect(filter.match == Filter.defaultMatch)
            #expect(filter.rules.map(\.name) == ["copy"])
            #expect(filter.rules[0].isFast)
        }
    }

    @Test("a site's filter replaces a shipped one of the same name")
    func siteOverrides() throws {
        try withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("dovecot-mail-log.toml").path
            try ("description = \"site\"\n" + ruleTOML()).write(toFile: file, atomically: true, encoding: .utf8)
            let set = try FilterSet.load(
                paths: [directory.path, shippedFiltersDirectory],
                enabled: ["dovecot-mail-log"]
            )
            #expect(set.filters.map(\.description) == ["site"])
            let shipped = try FilterSet.load(
                paths: ["/nonexistent", shippedFiltersDirectory],
                enabled: ["dovecot-mail-log"]
            )
            #expect(shipped.filters[0].rules.count == 4)
        }
    }

    @Test("a filter is located in the first directory that has it, or nowhere")
    func locate() throws {
        try withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("dovecot-mail-log.toml").path
            try ruleTOML().write(toFile: file, atomically: true, encoding: .utf8)
            #expect(FilterSet.locate("dovecot-mail-log", in: [directory.path, shippedFiltersDirectory]) == file)
            #expect(
                FilterSet.locate("dovecot-mail-log", in: ["/nonexistent", shippedFiltersDirectory])
                    == URL(fileURLWithPath: shippedFiltersDirectory).appendingPathComponent("dovecot-mail-log.toml").path
            )
            #expect(FilterSet.locate("nope", in: [directory.path, shippedFiltersDirectory]) == nil)
            #expect(FilterSet.locate("dovecot-mail-log", in: []) == nil)
        }
    }

    @Test("an enabled filter that is nowhere is an error naming the places looked in")
    func missing() {
        let error = #expect(throws: FilterError.self) {
            try FilterSet.load(paths: ["/nonexistent/a", "/nonexistent/b"], enabled: ["nope"])
        }
        #expect(error?.description == "nope.toml: no such filter in /nonexistent/a, /nonexistent/b")
        let unreadable = #expect(throws: FilterError.self) { try Filter.load(file: "/nonexistent/x.toml") }
        #expect(unreadable?.description.hasPrefix("/nonexistent/x.toml: cannot read the file") == true)
    }

    @Test("a slow pattern is allowed and falls back to Swift Regex")
    func fallbackRule() throws {
        let rule = try Filter.Rule(
            name: "sieve",
            event: .copy,
            prefilter: "imapsieve",
            pattern: #"^(?<service>imap)\((?<user>[^)]+)\).*?imapsieve: (?<source>\p{L}+) -> (?<mailbox>\p{L}+)"#
        )
        #expect(!rule.isFast)
        let set = FilterSet([Filter(name: "sieve", rules: [rule])])
        let event = try #require(set.parse(line: "imap(bob)<1>: Debug: imapsieve: Junk -> INBOX").event)
        #expect(event.user == "bob")
        #expect(event.source == "Junk")
        #expect(event.mailbox == "INBOX")
        #expect(event.uid == nil)
    }
}
