import Foundation
import SystemdJournal

extension Configuration {
    /// Every key the file may set, as `section.key`; the documentation test checks that the
    /// example file mentions each of them.
    public static let knownKeys: [String] = [
        "journal.source", "journal.path", "journal.namespace", "journal.from",
        "classify.junk_mailboxes", "classify.trash_mailboxes", "classify.user_services",
        "classify.learn_append_to_junk", "classify.learn_flags", "classify.spam_flags", "classify.ham_flags",
        "classify.recent_messages",
        "filters.paths", "filters.enabled",
        "doveadm.path", "doveadm.config_file", "doveadm.timeout", "doveadm.max_message_size",
        "rspamd.enabled", "rspamd.url", "rspamd.password_file", "rspamd.password_credential", "rspamd.timeout",
        "rspamd.client", "rspamd.rspamc", "rspamd.bayes", "rspamd.bayes_scope", "rspamd.replay_bulk",
        "rspamd.fuzzy", "rspamd.fuzzy_spam_flag", "rspamd.fuzzy_spam_weight", "rspamd.fuzzy_ham_flag",
        "rspamd.fuzzy_ham_weight",
        "spamassassin.enabled", "spamassassin.sa_learn", "spamassassin.database", "spamassassin.database_root",
        "spamassassin.database_template", "spamassassin.timeout",
        "pipeline.users_in_flight", "pipeline.queue", "pipeline.batch", "pipeline.retry_initial", "pipeline.retry_max",
        "state.directory", "state.dedupe_days",
    ]

    /// Loads a configuration file.
    /// - Parameters:
    ///   - path: the file; default `/etc/junkwatch/junkwatch.toml`.
    ///   - defaultsIfMissing: return the defaults when the file does not exist, rather than fail.
    /// - Throws: `ConfigurationError` naming the file and the key at fault.
    public static func load(
        path: String = Configuration.defaultPath,
        defaultsIfMissing: Bool = false
    ) throws(ConfigurationError) -> Configuration {
        if defaultsIfMissing && !FileManager.default.fileExists(atPath: path) { return Configuration() }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, problem: "cannot read the file: \(Filter.reason(error))")
        }
        return try Configuration(toml: text, file: path)
    }

    /// Reads a configuration from TOML text; `file` names it in errors.
    /// - Throws: `ConfigurationError` naming the file and the key at fault.
    public init(toml text: String, file: String) throws(ConfigurationError) {
        do {
            var top = try TOMLFields.parse(text)
            var configuration = Configuration()
            if var table = try top.table("journal") {
                configuration.journal = try Self.journal(&table)
            }
            if var table = try top.table("classify") {
                configuration.classify = try Self.classify(&table)
            }
            if var table = try top.table("filters") {
                configuration.filters = try Self.filters(&table)
            }
            if var table = try top.table("doveadm") {
                configuration.doveadm = try Self.doveadm(&table)
            }
            if var table = try top.table("rspamd") {
                configuration.rspamd = try Self.rspamd(&table)
            }
            if var table = try top.table("spamassassin") {
                configuration.spamAssassin = try Self.spamAssassin(&table)
            }
            if var table = try top.table("pipeline") {
                configuration.pipeline = try Self.pipeline(&table)
            }
            if var table = try top.table("state") {
                configuration.state.directory = try Self.nonEmpty(&table, "directory") ?? configuration.state.directory
                configuration.state.dedupeDays =
                    try Self.number(&table, "dedupe_days", in: 0...3650) ?? configuration.state.dedupeDays
                try table.checkNoUnknownKeys()
            }
            try top.checkNoUnknownKeys()
            self = configuration
        } catch {
            throw ConfigurationError(file: file, key: error.key.isEmpty ? nil : error.key, problem: error.message)
        }
    }

    private static func journal(_ table: inout TOMLFields) throws(TOMLProblem) -> Journal {
        var journal = Journal()
        let source = try table.string("source") ?? "local"
        let path = try table.string("path")
        let namespace = try table.string("namespace")
        switch source {
        case "local":
            journal.source = .local
        case "directory":
            guard let path, !path.isEmpty else {
                throw TOMLProblem(key: table.name("path"), message: "required with source = \"directory\"")
            }
            journal.source = .directory(path)
        case "namespace":
            guard let namespace, !namespace.isEmpty else {
                throw TOMLProblem(key: table.name("namespace"), message: "required with source = \"namespace\"")
            }
            journal.source = .namespace(namespace)
        default:
            throw TOMLProblem(
                key: table.name("source"),
                message: "\"\(source)\" is not one of \"local\", \"directory\", \"namespace\""
            )
        }
        if path != nil && source != "directory" {
            throw TOMLProblem(key: table.name("path"), message: "only used with source = \"directory\"")
        }
        if namespace != nil && source != "namespace" {
            throw TOMLProblem(key: table.name("namespace"), message: "only used with source = \"namespace\"")
        }
        if let from = try table.string("from") {
            journal.start = try Self.start(from, key: table.name("from"))
        }
        try table.checkNoUnknownKeys()
        return journal
    }

    private static func start(_ value: String, key: String) throws(TOMLProblem) -> Journal.Start {
        switch value {
        case "tail": return .tail
        case "head": return .head
        default:
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            var date = formatter.date(from: value)
            if date == nil {
                formatter.formatOptions = [.withInternetDateTime]
                date = formatter.date(from: value)
            }
            guard let date, date.timeIntervalSince1970 >= 0 else {
                throw TOMLProblem(
                    key: key,
                    message: "expected \"tail\", \"head\" or an RFC 3339 time such as \"2026-11-20T08:00:00Z\", "
                        + "found \"\(value)\""
                )
            }
            return .time(microseconds: UInt64((date.timeIntervalSince1970 * 1_000_000).rounded()))
        }
    }

    private static func classify(_ table: inout TOMLFields) throws(TOMLProblem) -> Classifier.Settings {
        var settings = Classifier.Settings()
        settings.junkMailboxes = try names(&table, "junk_mailboxes", allowEmpty: false) ?? settings.junkMailboxes
        settings.trashMailboxes = try names(&table, "trash_mailboxes", allowEmpty: true) ?? settings.trashMailboxes
        settings.userServices = try names(&table, "user_services", allowEmpty: false) ?? settings.userServices
        settings.learnAppendToJunk = try table.bool("learn_append_to_junk") ?? settings.learnAppendToJunk
        settings.learnFlags = try table.bool("learn_flags") ?? settings.learnFlags
        for key in ["spam_flags", "ham_flags"] {
            guard let flags = try names(&table, key, allowEmpty: true) else { continue }
            if let bad = flags.first(where: { $0.contains(" ") || $0.contains("(") || $0.contains(")") }) {
                throw TOMLProblem(key: table.name(key), message: "\"\(bad)\" cannot be an IMAP keyword")
            }
            if key == "spam_flags" { settings.spamFlags = flags } else { settings.hamFlags = flags }
        }
        if let recent = try table.int("recent_messages") {
            guard recent >= 2 && recent <= 100_000_000 else {
                throw TOMLProblem(
                    key: table.name("recent_messages"),
                    message: "expected a number from 2 to 100000000, found \(recent)"
                )
            }
            settings.recentMessages = recent
        }
        try table.checkNoUnknownKeys()
        return settings
    }

    private static func filters(_ table: inout TOMLFields) throws(TOMLProblem) -> Filters {
        var filters = Filters()
        filters.paths = try names(&table, "paths", allowEmpty: false) ?? filters.paths
        if let enabled = try names(&table, "enabled", allowEmpty: false) {
            if let bad = enabled.first(where: { $0.contains("/") || $0.hasSuffix(".toml") }) {
                throw TOMLProblem(
                    key: table.name("enabled"),
                    message: "\"\(bad)\" is not a filter name (the file name without .toml)"
                )
            }
            filters.enabled = enabled
        }
        try table.checkNoUnknownKeys()
        return filters
    }

    private static func rspamd(_ table: inout TOMLFields) throws(TOMLProblem) -> Rspamd {
        var rspamd = Rspamd()
        rspamd.enabled = try table.bool("enabled") ?? rspamd.enabled
        if let url = try table.string("url") {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw TOMLProblem(
                    key: table.name("url"),
                    message: "expected an http:// or https:// URL, found \"\(url)\""
                )
            }
            rspamd.url = url
        }
        if let file = try table.string("password_file") {
            rspamd.passwordFile = file.isEmpty ? nil : file
        }
        if let name = try table.string("password_credential") {
            if name.contains("/") {
                throw TOMLProblem(
                    key: table.name("password_credential"),
                    message: "\"\(name)\" is not a credential name (the NAME of LoadCredential=NAME:...)"
                )
            }
            rspamd.passwordCredential = name.isEmpty ? nil : name
        }
        if rspamd.passwordFile != nil && rspamd.passwordCredential != nil {
            throw TOMLProblem(
                key: table.name("password_credential"),
                message: "set password_file or password_credential, not both"
            )
        }
        rspamd.timeout = try number(&table, "timeout", in: 1...3600) ?? rspamd.timeout
        if let client = try table.string("client") {
            guard let value = Rspamd.Client(rawValue: client) else {
                throw TOMLProblem(key: table.name("client"), message: "\"\(client)\" is not one of \"http\", \"rspamc\"")
            }
            rspamd.client = value
        }
        rspamd.rspamcPath = try nonEmpty(&table, "rspamc") ?? rspamd.rspamcPath
        rspamd.bayes = try table.bool("bayes") ?? rspamd.bayes
        if let scope = try table.string("bayes_scope") {
            guard let value = BayesScope(rawValue: scope) else {
                throw TOMLProblem(
                    key: table.name("bayes_scope"),
                    message: "\"\(scope)\" is not one of \"user\", \"domain\", \"global\""
                )
            }
            rspamd.bayesScope = value
        }
        rspamd.replayBulk = try table.bool("replay_bulk") ?? rspamd.replayBulk
        rspamd.fuzzy = try table.bool("fuzzy") ?? rspamd.fuzzy
        rspamd.fuzzySpam = try mark(&table, "spam", default: .defaultSpam)
        rspamd.fuzzyHam = try mark(&table, "ham", default: .defaultHam)
        if rspamd.fuzzy && rspamd.client == .rspamc {
            throw TOMLProblem(key: table.name("fuzzy"), message: "fuzzy learning needs client = \"http\"")
        }
        if rspamd.enabled && !rspamd.bayes && !rspamd.fuzzy {
            throw TOMLProblem(
                key: table.name("bayes"),
                message: "with bayes = false and fuzzy = false there is nothing to train: set enabled = false"
            )
        }
        try table.checkNoUnknownKeys()
        return rspamd
    }

    /// A fuzzy mark from `fuzzy_<class>_flag` and `fuzzy_<class>_weight`, each defaulting to
    /// that of `defaults`; flag 0 is none.
    private static func mark(
        _ table: inout TOMLFields,
        _ kind: String,
        default defaults: RspamdFuzzyLearner.Mark
    ) throws(TOMLProblem) -> RspamdFuzzyLearner.Mark? {
        let flag = try number(&table, "fuzzy_\(kind)_flag", in: 0...Int(Int32.max))
        let weight = try number(&table, "fuzzy_\(kind)_weight", in: 1...Int(Int32.max))
        if flag == 0 { return nil }
        return RspamdFuzzyLearner.Mark(flag: flag ?? defaults.flag, weight: weight ?? defaults.weight)
    }

    private static func doveadm(_ table: inout TOMLFields) throws(TOMLProblem) -> Doveadm {
        var doveadm = Doveadm()
        doveadm.path = try nonEmpty(&table, "path") ?? doveadm.path
        if let file = try table.string("config_file") {
            doveadm.configFile = file.isEmpty ? nil : file
        }
        doveadm.timeout = try number(&table, "timeout", in: 1...3600) ?? doveadm.timeout
        doveadm.maxMessageSize = try number(&table, "max_message_size", in: 1024...(1 << 31)) ?? doveadm.maxMessageSize
        try table.checkNoUnknownKeys()
        return doveadm
    }

    private static func spamAssassin(_ table: inout TOMLFields) throws(TOMLProblem) -> SpamAssassin {
        var spamAssassin = SpamAssassin()
        spamAssassin.enabled = try table.bool("enabled") ?? spamAssassin.enabled
        spamAssassin.saLearn = try nonEmpty(&table, "sa_learn") ?? spamAssassin.saLearn
        if let database = try table.string("database") {
            guard let value = SpamAssassin.Database(rawValue: database) else {
                throw TOMLProblem(
                    key: table.name("database"),
                    message: "\"\(database)\" is not one of \"per-user\", \"username\", \"shared\""
                )
            }
            spamAssassin.database = value
        }
        if let root = try table.string("database_root") {
            guard root.isEmpty || root.hasPrefix("/") else {
                throw TOMLProblem(key: table.name("database_root"), message: "expected an absolute path, found \"\(root)\"")
            }
            spamAssassin.databaseRoot = root.isEmpty ? nil : root
        }
        if let template = try table.string("database_template") {
            do {
                _ = try SpamAssassinDatabasePath(root: "/", template: template)
            } catch {
                throw TOMLProblem(key: table.name("database_template"), message: error.message)
            }
            spamAssassin.databaseTemplate = template
        }
        spamAssassin.timeout = try number(&table, "timeout", in: 1...3600) ?? spamAssassin.timeout
        try table.checkNoUnknownKeys()
        return spamAssassin
    }

    private static func pipeline(_ table: inout TOMLFields) throws(TOMLProblem) -> Pipeline {
        var pipeline = Pipeline()
        pipeline.usersInFlight = try number(&table, "users_in_flight", in: 1...256) ?? pipeline.usersInFlight
        pipeline.queue = try number(&table, "queue", in: 1...1_000_000) ?? pipeline.queue
        pipeline.batch = try number(&table, "batch", in: 1...1000) ?? pipeline.batch
        pipeline.retryInitial = try number(&table, "retry_initial", in: 1...3600) ?? pipeline.retryInitial
        pipeline.retryMax = try number(&table, "retry_max", in: 1...86400) ?? pipeline.retryMax
        if pipeline.retryMax < pipeline.retryInitial {
            throw TOMLProblem(key: table.name("retry_max"), message: "must not be less than retry_initial")
        }
        try table.checkNoUnknownKeys()
        return pipeline
    }

    /// An integer within `range`.
    private static func number(_ table: inout TOMLFields, _ key: String, in range: ClosedRange<Int>) throws(TOMLProblem)
        -> Int?
    {
        guard let value = try table.int(key) else { return nil }
        guard range.contains(value) else {
            throw TOMLProblem(
                key: table.name(key),
                message: "expected a number from \(range.lowerBound) to \(range.upperBound), found \(value)"
            )
        }
        return value
    }

    /// An array of non-empty strings.
    private static func names(_ table: inout TOMLFields, _ key: String, allowEmpty: Bool) throws(TOMLProblem)
        -> [String]?
    {
        guard let names = try table.strings(key) else { return nil }
        if names.isEmpty && !allowEmpty {
            throw TOMLProblem(key: table.name(key), message: "must not be empty")
        }
        if names.contains(where: \.isEmpty) {
            throw TOMLProblem(key: table.name(key), message: "contains an empty string")
        }
        return names
    }

    private static func nonEmpty(_ table: inout TOMLFields, _ key: String) throws(TOMLProblem) -> String? {
        guard let value = try table.string(key) else { return nil }
        guard !value.isEmpty else { throw TOMLProblem(key: table.name(key), message: "must not be empty") }
        return value
    }
}
