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
        "doveadm.path",
        "rspamd.enabled", "rspamd.url", "rspamd.password_file",
        "spamassassin.enabled", "spamassassin.sa_learn",
        "state.directory",
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
                configuration.doveadm.path = try Self.nonEmpty(&table, "path") ?? configuration.doveadm.path
                try table.checkNoUnknownKeys()
            }
            if var table = try top.table("rspamd") {
                configuration.rspamd = try Self.rspamd(&table)
            }
            if var table = try top.table("spamassassin") {
                configuration.spamAssassin.enabled = try table.bool("enabled") ?? configuration.spamAssassin.enabled
                configuration.spamAssassin.saLearn =
                    try Self.nonEmpty(&table, "sa_learn") ?? configuration.spamAssassin.saLearn
                try table.checkNoUnknownKeys()
            }
            if var table = try top.table("state") {
                configuration.state.directory = try Self.nonEmpty(&table, "directory") ?? configuration.state.directory
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
        try table.checkNoUnknownKeys()
        return rspamd
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
