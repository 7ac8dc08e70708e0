public import SystemdJournal

/// junkwatch's settings, read from `/etc/junkwatch/junkwatch.toml`.
///
/// Every key has a default, documented here and in `units/junkwatch.toml.example` (a test
/// checks that the example file says exactly the defaults). An unknown key, or a value of the
/// wrong type or out of range, is an error naming the file and the key.
public struct Configuration: Sendable, Equatable {
    /// Where junkwatch looks for its configuration by default.
    public static let defaultPath = "/etc/junkwatch/junkwatch.toml"
    /// The site's own filters, which replace shipped filters of the same name.
    public static let siteFiltersDirectory = "/etc/junkwatch/filters.d"
    /// Where the packaged filters (the repository's `Filters/`) are installed.
    public static let installedFiltersDirectory = "/usr/share/junkwatch/filters"

    /// `[journal]`: where to read.
    public var journal = Journal()
    /// `[classify]`: what a move means.
    public var classify = Classifier.Settings()
    /// `[filters]`: which filters read the log lines.
    public var filters = Filters()
    /// `[doveadm]`: how messages are fetched.
    public var doveadm = Doveadm()
    /// `[rspamd]`: the rspamd learner.
    public var rspamd = Rspamd()
    /// `[spamassassin]`: the SpamAssassin learner.
    public var spamAssassin = SpamAssassin()
    /// `[state]`: where junkwatch keeps its ledger and cursor.
    public var state = State()

    /// The defaults.
    public init() {}

    /// `[journal]`.
    public struct Journal: Sendable, Equatable {
        /// Where to start when there is no saved cursor.
        public enum Start: Sendable, Equatable {
            /// Only entries written from now on.
            case tail
            /// The oldest entry still in the journal.
            case head
            /// The first entry at or after this time, in microseconds since the epoch.
            case time(microseconds: UInt64)
        }

        /// `source` (`"local"`, `"directory"` with `path`, or `"namespace"` with `namespace`):
        /// default the local journal.
        public var source: JournalReader.Source = .local
        /// `from` (`"tail"`, `"head"` or an RFC 3339 time such as `"2026-11-20T00:00:00Z"`):
        /// default `"tail"`.
        public var start: Start = .tail

        /// Creates the section; the parameters default to the documented defaults.
        public init(source: JournalReader.Source = .local, start: Start = .tail) {
            self.source = source
            self.start = start
        }
    }

    /// `[filters]`.
    public struct Filters: Sendable, Equatable {
        /// `paths`: directories searched for `<name>.toml`, first match wins; default the site's
        /// `/etc/junkwatch/filters.d`, then the installed filters.
        public var paths: [String]
        /// `enabled`: the filters to run, in order; default `["dovecot-mail-log"]` (dovecot 2.3).
        public var enabled: [String]

        /// Creates the section; the parameters default to the documented defaults.
        public init(
            paths: [String] = [Configuration.siteFiltersDirectory, Configuration.installedFiltersDirectory],
            enabled: [String] = ["dovecot-mail-log"]
        ) {
            self.paths = paths
            self.enabled = enabled
        }
    }

    /// `[doveadm]`.
    public struct Doveadm: Sendable, Equatable {
        /// `path`: the doveadm program; default `/usr/bin/doveadm`.
        public var path: String

        /// Creates the section with the documented default.
        public init(path: String = "/usr/bin/doveadm") {
            self.path = path
        }
    }

    /// `[rspamd]`.
    public struct Rspamd: Sendable, Equatable {
        /// `enabled`: whether to train rspamd; default `true`.
        public var enabled: Bool
        /// `url`: the controller; default `http://127.0.0.1:11334`.
        public var url: String
        /// `password_file`: a file holding the controller password; default none (`""`).
        public var passwordFile: String?

        /// Creates the section; the parameters default to the documented defaults.
        public init(enabled: Bool = true, url: String = "http://127.0.0.1:11334", passwordFile: String? = nil) {
            self.enabled = enabled
            self.url = url
            self.passwordFile = passwordFile
        }
    }

    /// `[spamassassin]`.
    public struct SpamAssassin: Sendable, Equatable {
        /// `enabled`: whether to train SpamAssassin; default `false`.
        public var enabled: Bool
        /// `sa_learn`: the sa-learn program; default `/usr/bin/sa-learn`.
        public var saLearn: String

        /// Creates the section; the parameters default to the documented defaults.
        public init(enabled: Bool = false, saLearn: String = "/usr/bin/sa-learn") {
            self.enabled = enabled
            self.saLearn = saLearn
        }
    }

    /// `[state]`.
    public struct State: Sendable, Equatable {
        /// `directory`: where the ledger and cursor live; default `/var/lib/junkwatch`.
        public var directory: String

        /// Creates the section with the documented default.
        public init(directory: String = "/var/lib/junkwatch") {
            self.directory = directory
        }
    }
}

/// A configuration file that cannot be used, worded to name the file and the key:
/// `/etc/junkwatch/junkwatch.toml: classify.junk_mailboxes: expected an array of strings, found a string`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file.
    public var file: String
    /// The dotted key at fault (`classify.junk_mailboxes`), or `line:column` of a syntax error.
    public var key: String?
    /// What is wrong.
    public var problem: String

    /// Creates an error.
    public init(file: String, key: String? = nil, problem: String) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    /// The error as one line: file, key and problem, separated by colons.
    public var description: String {
        [file, key, problem].compactMap { $0 }.joined(separator: ": ")
    }
}
