import JunkwatchCore
import Testing

@Suite("SpamAssassinDatabasePath")
struct SpamAssassinDatabasePathTests {
    @Test("%d/%l/bayes puts each user under their domain")
    func perUser() throws {
        let path = try SpamAssassinDatabasePath(root: "/var/lib/junkwatch/sa/", template: "%d/%l/bayes")
        #expect(path.path(for: "alice@example.com") == "/var/lib/junkwatch/sa/example.com/alice/bayes")
        #expect(path.directory(for: "alice@example.com") == "/var/lib/junkwatch/sa/example.com/alice")
        #expect(
            path.path(for: "carol.o'neil+tag@example.org")
                == "/var/lib/junkwatch/sa/example.org/carol.o%27neil+tag/bayes"
        )
    }

    @Test(
        "a value becomes exactly one component that cannot leave the root",
        arguments: [
            ("../../etc", "%2E.%2F..%2Fetc"),
            ("..", "%2E."),
            (".", "%2E"),
            ("", "%"),
            ("x$(reboot)", "x%24%28reboot%29"),
            ("dave smith", "dave%20smith"),
            ("100%", "100%25"),
            ("Müller", "M%C3%BCller"),
            ("a/b\nc", "a%2Fb%0Ac"),
        ]
    )
    func escaping(value: String, expected: String) throws {
        #expect(SpamAssassinDatabasePath.escape(value) == expected)
        let path = try SpamAssassinDatabasePath(root: "/db", template: "%u/bayes")
        let result = path.path(for: value)
        #expect(result == "/db/\(expected)/bayes")
        let components = result.split(separator: "/")
        #expect(components.count == 3)
        #expect(!components.contains(".") && !components.contains(".."))
    }

    @Test("a user without a domain: %l is the whole user, %d is %")
    func noDomain() throws {
        let path = try SpamAssassinDatabasePath(root: "/db", template: "%d/%l/bayes")
        #expect(path.path(for: "root") == "/db/%/root/bayes")
        #expect(path.path(for: "a@b@example.com") == "/db/example.com/a@b/bayes")
    }

    @Test("two different users never share a database")
    func injective() throws {
        let users = ["a b", "a%20b", "a_b", ".a", "%2Ea", "", "%"]
        let escaped = Set(users.map(SpamAssassinDatabasePath.escape))
        #expect(escaped.count == users.count)
    }

    @Test(
        "templates that could escape or are not understood are refused",
        arguments: [
            ("/db", "/abs/%u"), ("/db", "../%u"), ("/db", "%u/../x"), ("/db", "%u//x"), ("/db", "%x/bayes"),
            ("/db", "%u/ba yes"), ("/db", ""), ("db", "%u/bayes"), ("/db", "%u/bayes%"),
        ]
    )
    func refused(root: String, template: String) {
        #expect(throws: StageError.self) { try SpamAssassinDatabasePath(root: root, template: template) }
    }
}
