/// Which entries to read: groups of `FIELD=value` terms, joined as disjunctions.
///
/// Within a group, terms on the same field match any of their values and terms on different
/// fields must all match — libsystemd's own rules for `sd_journal_add_match`. An entry is read
/// when any group matches. `[["_SYSTEMD_UNIT=dovecot.service"], ["SYSLOG_IDENTIFIER=dovecot"]]`
/// reads what the unit logged and what was logged under dovecot's name from elsewhere.
public struct JournalMatch: Sendable, Hashable {
    /// The groups; an empty list matches every entry.
    public var groups: [[String]]

    /// Every entry.
    public static let all = JournalMatch(validated: [])

    /// Builds a match, checking each term.
    /// - Throws: `JournalError.invalidMatch` naming the first bad term.
    public init(_ groups: [[String]]) throws {
        for group in groups {
            if group.isEmpty { throw JournalError.invalidMatch("", reason: "a match group has no terms") }
            for term in group { try Self.validate(term) }
        }
        self.groups = groups
    }

    /// A match of one group.
    public init(_ terms: String...) throws {
        try self.init([terms])
    }

    init(validated groups: [[String]]) {
        self.groups = groups
    }

    /// Checks that `term` is `FIELD=value` with a field name libsystemd accepts in a match.
    public static func validate(_ term: String) throws {
        guard let equals = term.utf8.firstIndex(of: UInt8(ascii: "=")) else {
            throw JournalError.invalidMatch(term, reason: "expected FIELD=value")
        }
        let name = String(term[..<equals])
        do {
            // A match may name trusted fields (`_SYSTEMD_UNIT`), so a leading underscore is fine here.
            try JournalFieldName.validate(name, allowTrusted: true)
        } catch JournalError.invalidFieldName(_, let reason) {
            throw JournalError.invalidMatch(term, reason: reason)
        }
    }
}

extension JournalMatch: CustomStringConvertible {
    /// The match as `journalctl` arguments would spell it: terms separated by spaces, groups by ` + `.
    public var description: String {
        groups.map { $0.joined(separator: " ") }.joined(separator: " + ")
    }
}

/// Journal field name rules.
public enum JournalFieldName {
    /// journald's limit on a field name's length.
    public static let maximumLength = 64

    /// Checks a field name against journald's rules: `A-Z`, `0-9` and `_`, not starting with a
    /// digit, at most 64 bytes; a leading `_` marks a trusted field that only journald may set.
    /// - Throws: `JournalError.invalidFieldName` with the rule that was broken.
    public static func validate(_ name: String, allowTrusted: Bool = false) throws {
        let bytes = Array(name.utf8)
        guard let first = bytes.first else {
            throw JournalError.invalidFieldName(name, reason: "the name is empty")
        }
        if bytes.count > maximumLength {
            throw JournalError.invalidFieldName(name, reason: "longer than \(maximumLength) bytes")
        }
        if first == UInt8(ascii: "_") && !allowTrusted {
            throw JournalError.invalidFieldName(
                name,
                reason: "a leading underscore marks a trusted field that only journald sets"
            )
        }
        if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) {
            throw JournalError.invalidFieldName(name, reason: "starts with a digit")
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                throw JournalError.invalidFieldName(name, reason: "lowercase letters are not allowed (use A-Z)")
            default:
                throw JournalError.invalidFieldName(name, reason: "only A-Z, 0-9 and _ are allowed")
            }
        }
    }
}
