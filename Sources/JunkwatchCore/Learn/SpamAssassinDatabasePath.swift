/// Where a user's SpamAssassin Bayes database lives: a root directory and a template below it,
/// such as `%d/%l/bayes` (`/var/lib/junkwatch/sa/example.com/alice/bayes_toks`, `..._seen`).
///
/// Escapes: `%u` the whole user, `%d` the domain (after the last `@`, empty without one),
/// `%l` the local part (before the last `@`, the whole user without one), `%%` a `%`.
///
/// Every substituted value becomes exactly one path component that cannot leave the root:
/// bytes outside `A-Z a-z 0-9 . _ - + @ = ,` are written as `%XX` (uppercase hex, `%` itself
/// too), a leading `.` as `%2E` (so `.` and `..` are impossible), and an empty value as `%`.
/// The escaping is one-to-one, so two users never share a database:
/// `../../etc` becomes `%2E.%2F..%2Fetc`, `x$(reboot)` becomes `x%24%28reboot%29`.
public struct SpamAssassinDatabasePath: Sendable, Hashable {
    /// The directory all databases live under (absolute).
    public let root: String
    /// The template below ``root``.
    public let template: String

    /// Creates a database path, checking the template.
    ///
    /// - Throws: a configuration error when the root is not absolute, or the template is absolute,
    ///   empty, uses an unknown escape, or has a `.`/`..`/empty component or unusual characters in
    ///   its literal text.
    public init(root: String, template: String) throws(StageError) {
        guard root.hasPrefix("/") else {
            throw .configuration("the SpamAssassin database root \(StageText.quoted(root)) must be an absolute path")
        }
        guard !template.isEmpty, !template.hasPrefix("/") else {
            throw .configuration(
                "the SpamAssassin database template \(StageText.quoted(template)) must be a relative path "
                    + "such as %d/%l/bayes"
            )
        }
        for component in template.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty, component != ".", component != ".." else {
                throw .configuration(
                    "the SpamAssassin database template \(StageText.quoted(template)) has an empty, . or .. component"
                )
            }
        }
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            if character == "%" {
                let next = template.index(after: index)
                guard next < template.endIndex, "udl%".contains(template[next]) else {
                    throw .configuration(
                        "the SpamAssassin database template \(StageText.quoted(template)) uses an unknown escape: "
                            + "only %u, %d, %l and %% are known"
                    )
                }
                index = template.index(after: next)
                continue
            }
            guard character == "/" || Self.isPlain(character) else {
                throw .configuration(
                    "the SpamAssassin database template \(StageText.quoted(template)) contains "
                        + "\(StageText.quoted(String(character))): "
                        + "use letters, digits, . _ - + @ = , / and the escapes"
                )
            }
            index = template.index(after: index)
        }
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.template = template
    }

    /// The `--dbpath` value for `user`.
    public func path(for user: String) -> String {
        let (local, domain) = Self.split(user)
        var expanded = ""
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            guard character == "%" else {
                expanded.append(character)
                index = template.index(after: index)
                continue
            }
            let next = template.index(after: index)
            switch template[next] {
            case "u": expanded += Self.escape(user)
            case "d": expanded += Self.escape(domain)
            case "l": expanded += Self.escape(local)
            default: expanded += "%"
            }
            index = template.index(after: next)
        }
        return (root == "/" ? "" : root) + "/" + expanded
    }

    /// The directory that holds `user`'s database files (the path without its last component).
    public func directory(for user: String) -> String {
        let path = path(for: user)
        return String(path[..<path.lastIndex(of: "/")!])
    }

    /// `value` as one safe path component (see the type's documentation).
    public static func escape(_ value: String) -> String {
        if value.isEmpty { return "%" }
        var out = ""
        for (offset, byte) in value.utf8.enumerated() {
            let scalar = Unicode.Scalar(byte)
            if offset == 0, byte == UInt8(ascii: ".") {
                out += "%2E"
            } else if byte < 0x80, isPlain(Character(scalar)) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + hex(byte)
            }
        }
        return out
    }

    private static func isPlain(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        switch ascii {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "._-+@=,".utf8.contains(ascii)
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    private static func split(_ user: String) -> (local: String, domain: String) {
        guard let at = user.lastIndex(of: "@") else { return (user, "") }
        return (String(user[..<at]), String(user[user.index(after: at)...]))
    }
}
