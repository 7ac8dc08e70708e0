import Foundation
import JunkwatchCore
import SystemdJournal
import Testing

/// A broken configuration and the key and problem its error must name.
struct BrokenConfiguration: Sendable, CustomTestStringConvertible {
    var toml: String
    var key: String?
    var problem: String

    var testDescription: String { toml.replacingOccurrences(of: "\n", with: " ") }
}

let brokenConfigurations: [BrokenConfiguration] = [
    BrokenConfiguration(
        toml: "[classify]\njunk_mailboxes = \"Junk\"",
        key: "classify.junk_mailboxes",
        problem: "expected an array of strings, found a string"
    ),
    BrokenConfiguration(
        toml: "[classify]\njunk_mailboxes = [\"Junk\", 3]",
        key: "classify.junk_mailboxes",
        problem: "expected an array of strings, found an integer in it"
    ),
    BrokenConfiguration(
        toml: "[classify]\njunk_mailboxes = []",
        key: "classify.junk_mailboxes",
        problem: "must not be empty"
    ),
    BrokenConfiguration(
        toml: "[classify]\ntrash_mailboxes = [\"\"]",
        key: "classify.trash_mailboxes",
        problem: "contains an empty string"
    ),
    BrokenConfiguration(
        toml: "[classify]\nuser_services = []",
        key: "classify.user_services",
        problem: "must not be empty"
    ),
    BrokenConfiguration(
        toml: "[classify]\njunk_mailbox = [\"Junk\"]",
        key: "classify.junk_mailbox",
        problem: "unknown key (did you mean junk_mailboxes?)"
    ),
    BrokenConfiguration(
        toml: "[classify]\nlearn_append_to_junk = \"yes\"",
        key: "classify.learn_append_to_junk",
        problem: "expected true or false, found a string"
    ),
    BrokenConfiguration(
        toml: "[classify]\nspam_flags = [\"$Junk Mail\"]",
        key: "classify.spam_flags",
        problem: "cannot be an IMAP keyword"
    ),
    BrokenConfiguration(
        toml: "[classify]\nrecent_messages = 0",
        key: "classify.recent_messages",
        problem: "expected a number from 2 to 100000000, found 0"
    ),
    BrokenConfiguration(
        toml: "[classify]\nrecent_messages = 1.5",
        key: "classify.recent_messages",
        problem: "expected an integer, found a floating-point number"
    ),
    BrokenConfiguration(
        toml: "[clasify]\nlearn_flags = true",
        key: "clasify",
        problem: "unknown key (did you mean classify?)"
    ),
    BrokenConfiguration(toml: "classify = 3", key: "classify", problem: "expected a table ([classify])"),
    BrokenConfiguration(
        toml: "[journal]\nsource = \"remote\"",
        key: "journal.source",
        problem: "\"remote\" is not one of \"local\", \"directory\", \"namespace\""
    ),
    BrokenConfiguration(
        toml: "[journal]\nsource = \"directory\"",
        key: "journal.path",
        problem: "required with source = \"directory\""
    ),
    BrokenConfiguration(
        toml: "[journal]\nsource = \"namespace\"\nnamespace = \"\"",
        key: "journal.namespace",
        problem: "required with source = \"namespace\""
    ),
    BrokenConfiguration(
        toml: "[journal]\npath = \"/var/log/journal/remote\"",
        key: "journal.path",
        problem: "only used with source = \"directory\""
    ),
    BrokenConfiguration(
        toml: "[journal]\nfrom = \"yesterday\"",
        key: "journal.from",
        problem: "expected \"tail\", \"head\" or an RFC 3339 time"
    ),
    BrokenConfiguration(
        toml: "[filters]\nenabled = [\"dovecot-mail-log.toml\"]",
        key: "filters.enabled",
        problem: "is not a filter name"
    ),
    BrokenConfiguration(toml: "[filters]\npaths = []", key: "filters.paths", problem: "must not be empty"),
    BrokenConfiguration(
        toml: "[rspamd]\nurl = \"127.0.0.1:11334\"",
        key: "rspamd.url",
        problem: "expected an http:// or https:// URL"
    ),
    BrokenConfiguration(toml: "[doveadm]\npath = \"\"", key: "doveadm.path", problem: "must not be empty"),
    BrokenConfiguration(
        toml: "[state]\ndir = \"/tmp\"",
        key: "state.dir",
        problem: "unknown key"
    ),
    BrokenConfiguration(toml: "[classify\njunk_mailboxes = []", key: "1:10", problem: "expected ']'"),
    BrokenConfiguration(
        toml: "[rspamd]\nclient = \"curl\"",
        key: "rspamd.client",
        problem: "\"curl\" is not one of \"http\", \"rspamc\""
    ),
    BrokenConfiguration(
        toml: "[rspamd]\nbayes_scope = \"users\"",
        key: "rspamd.bayes_scope",
        problem: "is not one of \"user\", \"domain\", \"global\""
    ),
    BrokenConfiguration(
        toml: "[rspamd]\npassword_file = \"/etc/p\"\npassword_credential = \"rspamd\"",
        key: "rspamd.password_credential",
        problem: "set password_file or password_credential, not both"
    ),
    BrokenConfiguration(
        toml: "[rspamd]\npassword_credential = \"/etc/p\"",
        key: "rspamd.password_credential",
        problem: "is not a credential name"
    ),
    BrokenConfiguration(
        toml: "[rspamd]\nclient = \"rspamc\"\nfuzzy = true",
        key: "rspamd.fuzzy",
        problem: "fuzzy learning needs client = \"http\""
    ),
    BrokenConfiguration(
        toml: "[rspamd]\nbayes = false",
        key: "rspamd.bayes",
        problem: "nothing to train"
    ),
    BrokenConfiguration(
        toml: "[rspamd]\nfuzzy_ham_weight = 0",
        key: "rspamd.fuzzy_ham_weight",
        problem: "expected a number from 1 to"
    ),
    BrokenConfiguration(
        toml: "[doveadm]\nmax_message_size = 10",
        key: "doveadm.max_message_size",
        problem: "expected a number from 1024 to"
    ),
    BrokenConfiguration(
        toml: "[spamassassin]\ndatabase = \"file\"",
        key: "spamassassin.database",
        problem: "is not one of \"per-user\", \"username\", \"shared\""
    ),
    BrokenConfiguration(
        toml: "[spamassassin]\ndatabase_template = \"../%u\"",
        key: "spamassassin.database_template",
        problem: ". or .. component"
    ),
    BrokenConfiguration(
        toml: "[spamassassin]\ndatabase_root = \"sa\"",
        key: "spamassassin.database_root",
        problem: "expected an absolute path"
    ),
    BrokenConfiguration(
        toml: "[pipeline]\nusers_in_flight = 0",
        key: "pipeline.users_in_flight",
        problem: "expected a number from 1 to 256, found 0"
    ),
    BrokenConfiguration(
        toml: "[pipeline]\nretry_initial = 10\nretry_max = 5",
        key: "pipeline.retry_max",
        problem: "must not be less than retry_initial"
    ),
    BrokenConfiguration(
        toml: "[state]\ndedupe_days = -1",
        key: "state.dedupe_days",
        problem: "expected a number from 0 to 3650"
    ),
]

@Suite("Configuration")
struct ConfigurationTests {
    static let example = repositoryRoot.appendingPathComponent("units/junkwatch.toml.example").path

    @Test("the example file says exactly the defaults")
    func exampleIsDefaults() throws {
        #expect(try Configuration.load(path: Self.example) == Configuration())
    }

    @Test("the example file mentions every key, in its section")
    func exampleMentionsEveryKey() throws {
        let text = try String(contentsOfFile: Self.example, encoding: .utf8)
        var section = ""
        var mentioned = Set<String>()
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                continue
            }
            // "key = value" or, for keys that only apply sometimes, "# key = value".
            let body = line.hasPrefix("# ") ? String(line.dropFirst(2)) : line
            guard let equals = body.range(of: " = ") else { continue }
            let key = String(body[..<equals.lowerBound])
            if key.allSatisfy({ $0.isLetter || $0 == "_" }) { mentioned.insert("\(section).\(key)") }
        }
        #expect(mentioned == Set(Configuration.knownKeys))
    }

    @Test("the defaults")
    func defaults() {
        let configuration = Configuration()
        #expect(configuration.journal.source == .local)
        #expect(configuration.journal.start == .tail)
        #expect(configuration.classify.junkMailboxes.contains("Junk"))
        #expect(configuration.classify.userServices == ["imap"])
        #expect(configuration.filters.paths == ["/etc/junkwatch/filters.d", "/usr/share/junkwatch/filters"])
        #expect(configuration.filters.enabled == ["dovecot-mail-log"])
        #expect(configuration.rspamd.passwordFile == nil)
        #expect(configuration.rspamd.fuzzySpam == RspamdFuzzyLearner.Mark(flag: 1, weight: 10))
        #expect(configuration.rspamd.fuzzyHam == RspamdFuzzyLearner.Mark(flag: 3, weight: 15))
        let learner = RspamdFuzzyLearner(controller: RspamdController())
        #expect(learner.spam == configuration.rspamd.fuzzySpam)
        #expect(learner.ham == configuration.rspamd.fuzzyHam)
    }

    @Test("a file that changes a few things keeps the defaults for the rest")
    func partial() throws {
        let configuration = try Configuration(
            toml: """
                [journal]
                source = "directory"
                path = "/var/log/journal/remote"
                from = "2026-11-20T08:00:00.5Z"

                [classify]
                junk_mailboxes = ["Junk", "Werbung"]
                learn_flags = false

                [filters]
                enabled = ["dovecot-2.4-mail-log"]

                [rspamd]
                password_file = "/run/credentials/junkwatch.service/rspamd"
                """,
            file: "junkwatch.toml"
        )
        var expected = Configuration()
        expected.journal = .init(
            source: .directory("/var/log/journal/remote"),
            start: .time(microseconds: 1_795_161_600_500_000)
        )
        expected.classify.junkMailboxes = ["Junk", "Werbung"]
        expected.classify.learnFlags = false
        expected.filters.enabled = ["dovecot-2.4-mail-log"]
        expected.rspamd.passwordFile = "/run/credentials/junkwatch.service/rspamd"
        #expect(configuration == expected)

        let namespace = try Configuration(
            toml: "[journal]\nsource = \"namespace\"\nnamespace = \"mail\"\nfrom = \"head\"",
            file: "x"
        )
        #expect(namespace.journal == .init(source: .namespace("mail"), start: .head))
    }

    @Test("a broken file is an error naming the file and the key", arguments: brokenConfigurations)
    func broken(_ broken: BrokenConfiguration) {
        let file = "/etc/junkwatch/junkwatch.toml"
        let error = #expect(throws: ConfigurationError.self) { try Configuration(toml: broken.toml, file: file) }
        guard let error else { return }
        #expect(error.file == file)
        #expect(error.key == broken.key)
        #expect(error.problem.contains(broken.problem), "\(error.problem)")
        #expect(error.description.hasPrefix("\(file): \(broken.key ?? "")"))
    }

    @Test("the error reads like the issue asks")
    func description() {
        let error = ConfigurationError(
            file: "/etc/junkwatch/junkwatch.toml",
            key: "classify.junk_mailboxes",
            problem: "expected an array of strings"
        )
        #expect(
            error.description == "/etc/junkwatch/junkwatch.toml: classify.junk_mailboxes: expected an array of strings"
        )
    }

    @Test("a missing file is an error, or the defaults when asked for")
    func missing() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.load(path: "/nonexistent/junkwatch.toml")
        }
        #expect(error?.description.hasPrefix("/nonexistent/junkwatch.toml: cannot read the file") == true)
        #expect(try Configuration.load(path: "/nonexistent/junkwatch.toml", defaultsIfMissing: true) == Configuration())
    }

    @Test("the configured filters load from the configured paths")
    func filtersFromConfiguration() throws {
        var configuration = Configuration()
        configuration.filters.paths = ["/etc/junkwatch/filters.d", shippedFiltersDirectory]
        let filters = try FilterSet.load(paths: configuration.filters.paths, enabled: configuration.filters.enabled)
        #expect(filters.filters.map(\.name) == ["dovecot-mail-log"])
    }

    @Test("the learner settings build the learners they name")
    func learnersFromSettings() throws {
        let toml = """
            [rspamd]
            url = "http://127.0.0.1:11334"
            password_credential = "rspamd-password"
            bayes_scope = "domain"
            fuzzy = true
            fuzzy_spam_flag = 0
            fuzzy_ham_flag = 7
            [spamassassin]
            enabled = true
            database_root = "/var/lib/sa"
            [pipeline]
            users_in_flight = 8
            [state]
            dedupe_days = 7
            """
        let configuration = try Configuration(toml: toml, file: "test.toml")
        #expect(configuration.rspamd.password == .credential("rspamd-password"))
        #expect(configuration.rspamd.fuzzySpam == nil)
        #expect(configuration.rspamd.fuzzyHam == RspamdFuzzyLearner.Mark(flag: 7, weight: 15))
        #expect(configuration.pipeline.usersInFlight == 8)
        #expect(configuration.state.dedupeDays == 7)
        let learners = try configuration.learners(bulk: true)
        #expect(learners.map(\.name) == ["rspamd-bayes", "rspamd-fuzzy", "spamassassin"])
        let bayes = try #require(learners.first as? RspamdLearner)
        #expect(bayes.scope == .domain)
        #expect(bayes.bulk)
        let spamAssassin = try #require(learners.last as? SpamAssassinLearner)
        #expect(spamAssassin.configuration.database == .perUserPath(try SpamAssassinDatabasePath(root: "/var/lib/sa", template: "%d/%l/bayes")))
        var rspamc = Configuration()
        rspamc.rspamd.client = .rspamc
        rspamc.rspamd.url = "http://10.0.0.1:11334/"
        let viaRspamc = try #require(try rspamc.learners().first as? RspamcLearner)
        #expect(viaRspamc.configuration.connect == "10.0.0.1:11334")
    }

    @Test("a fuzzy mark's unset half keeps its default")
    func fuzzyMarkHalves() throws {
        let configuration = try Configuration(
            toml: "[rspamd]\nfuzzy_spam_weight = 20\nfuzzy_ham_flag = 5",
            file: "test.toml"
        )
        #expect(configuration.rspamd.fuzzySpam == RspamdFuzzyLearner.Mark(flag: 1, weight: 20))
        #expect(configuration.rspamd.fuzzyHam == RspamdFuzzyLearner.Mark(flag: 5, weight: 15))
    }

    @Test("the fetcher knows junk and trash by the classifier's configured names")
    func fetcherMailboxRoles() throws {
        #expect(Configuration().fetcher().configuration.mailboxRoles == .default)
        let toml = """
            [classify]
            junk_mailboxes = ["Archive/Junk"]
            trash_mailboxes = ["Corbeille"]
            """
        let roles = try Configuration(toml: toml, file: "test.toml").fetcher().configuration.mailboxRoles
        #expect(roles.isJunk("Archive/Junk"))
        #expect(!roles.isJunk("Junk"))
        #expect(roles.isTrash("Corbeille"))
        #expect(!roles.isTrash("Trash"))
    }

    @Test("with every learner off there is nothing to run, and the error says which settings")
    func noLearner() throws {
        var configuration = Configuration()
        configuration.rspamd.enabled = false
        #expect(throws: Configuration.StagesError.self) { try configuration.learners() }
        do {
            _ = try configuration.learners()
        } catch {
            #expect(error.description.contains("rspamd.enabled"))
            #expect(error.description.contains("spamassassin.enabled"))
        }
    }
}
