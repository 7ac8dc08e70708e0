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
    /// `[pipeline]`: how much runs at once, and retries.
    public var pipeline = Pipeline()
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
        /// `config_file`: dovecot's configuration, passed as `-c`; default none (`""`, doveadm's own).
        public var configFile: String?
        /// `timeout`: seconds one doveadm run may take; default 30.
        public var timeout: Int
        /// `max_message_size`: the largest message fetched, in bytes; larger ones are skipped as
        /// too large; default 20971520 (20 MiB: what many sites accept at all, and four users in
        /// flight then hold at most 80 MB of mail).
        public var maxMessageSize: Int

        /// Creates the section; the parameters default to the documented defaults.
        public init(
            path: String = "/usr/bin/doveadm",
            configFile: String? = nil,
            timeout: Int = 30,
            maxMessageSize: Int = 20 * 1024 * 1024
        ) {
            self.path = path
            self.configFile = configFile
            self.timeout = timeout
            self.maxMessageSize = maxMessageSize
        }
    }

    /// `[rspamd]`.
    public struct Rspamd: Sendable, Equatable {
        /// How junkwatch talks to rspamd.
        public enum Client: String, Sendable, Equatable, CaseIterable {
            /// The controller's HTTP API (one connection pool, no process per message).
            case http
            /// The `rspamc` program, for sites that prefer it (Bayes only).
            case rspamc
        }

        /// `enabled`: whether to train rspamd; default `true`.
        public var enabled: Bool
        /// `url`: the controller; default `http://127.0.0.1:11334`.
        public var url: String
        /// `password_file`: a file holding the controller password; default none (`""`).
        public var passwordFile: String?
        /// `password_credential`: the name of a systemd credential holding the password
        /// (`LoadCredential=`); default none (`""`).
        public var passwordCredential: String?
        /// `timeout`: seconds one request may take; default 30.
        public var timeout: Int
        /// `client`: `"http"` or `"rspamc"`; default `"http"`.
        public var client: Client
        /// `rspamc`: the rspamc program, with `client = "rspamc"`; default `/usr/bin/rspamc`.
        public var rspamcPath: String
        /// `bayes`: whether to train Bayes; default `true`.
        public var bayes: Bool
        /// `bayes_scope`: whose Bayes database learns: `"user"`, `"domain"` or `"global"`; default `"user"`.
        public var bayesScope: BayesScope
        /// `replay_bulk`: whether `replay` marks its learns `Learn-Type: bulk`; default `true`.
        public var replayBulk: Bool
        /// `fuzzy`: whether to add messages to the fuzzy storage; default `false`.
        public var fuzzy: Bool
        /// `fuzzy_spam_flag`, `fuzzy_spam_weight`: the mark for spam; default flag 1, weight 10.
        /// A flag of 0 leaves spam out of the fuzzy storage.
        public var fuzzySpam: RspamdFuzzyLearner.Mark?
        /// `fuzzy_ham_flag`, `fuzzy_ham_weight`: the mark for ham; default flag 3, weight 15.
        /// A flag of 0 leaves ham out of the fuzzy storage.
        public var fuzzyHam: RspamdFuzzyLearner.Mark?

        /// Creates the section; the parameters default to the documented defaults.
        public init(
            enabled: Bool = true,
            url: String = "http://127.0.0.1:11334",
            passwordFile: String? = nil,
            passwordCredential: String? = nil,
            timeout: Int = 30,
            client: Client = .http,
            rspamcPath: String = "/usr/bin/rspamc",
            bayes: Bool = true,
            bayesScope: BayesScope = .user,
            replayBulk: Bool = true,
            fuzzy: Bool = false,
            fuzzySpam: RspamdFuzzyLearner.Mark? = .defaultSpam,
            fuzzyHam: RspamdFuzzyLearner.Mark? = .defaultHam
        ) {
            self.enabled = enabled
            self.url = url
            self.passwordFile = passwordFile
            self.passwordCredential = passwordCredential
            self.timeout = timeout
            self.client = client
            self.rspamcPath = rspamcPath
            self.bayes = bayes
            self.bayesScope = bayesScope
            self.replayBulk = replayBulk
            self.fuzzy = fuzzy
            self.fuzzySpam = fuzzySpam
            self.fuzzyHam = fuzzyHam
        }

        /// Where the password comes from: the credential, else the file, else none.
        public var password: RspamdPassword {
            if let passwordCredential { return .credential(passwordCredential) }
            if let passwordFile { return .file(passwordFile) }
            return .none
        }
    }

    /// `[spamassassin]`.
    public struct SpamAssassin: Sendable, Equatable {
        /// Which Bayes database sa-learn trains.
        public enum Database: String, Sendable, Equatable, CaseIterable {
            /// A file database per user under `database_root`, `--dbpath` from `database_template`.
            case perUser = "per-user"
            /// `-u USER`, for SQL or Redis Bayes stores keyed by user name.
            case username
            /// sa-learn's own database (`bayes_path` in SpamAssassin's configuration).
            case shared
        }

        /// `enabled`: whether to train SpamAssassin; default `false`.
        public var enabled: Bool
        /// `sa_learn`: the sa-learn program; default `/usr/bin/sa-learn`.
        public var saLearn: String
        /// `database`: `"per-user"`, `"username"` or `"shared"`; default `"per-user"`.
        public var database: Database
        /// `database_root`: the directory of the per-user databases; default `""`, the state
        /// directory's `spamassassin/`.
        public var databaseRoot: String?
        /// `database_template`: a per-user database below the root (`%u` user, `%d` domain,
        /// `%l` local part); default `%d/%l/bayes`.
        public var databaseTemplate: String
        /// `timeout`: seconds one sa-learn run may take; default 120.
        public var timeout: Int

        /// Creates the section; the parameters default to the documented defaults.
        public init(
            enabled: Bool = false,
            saLearn: String = "/usr/bin/sa-learn",
            database: Database = .perUser,
            databaseRoot: String? = nil,
            databaseTemplate: String = "%d/%l/bayes",
            timeout: Int = 120
        ) {
            self.enabled = enabled
            self.saLearn = saLearn
            self.database = database
            self.databaseRoot = databaseRoot
            self.databaseTemplate = databaseTemplate
            self.timeout = timeout
        }
    }

    /// `[pipeline]`.
    public struct Pipeline: Sendable, Equatable {
        /// `users_in_flight`: how many users' messages are fetched and learned at once (each
        /// user's in order); default 4.
        public var usersInFlight: Int
        /// `queue`: how many decisions may wait for a fetch; reading pauses beyond; default 1000.
        public var queue: Int
        /// `batch`: how many of one user's waiting decisions are taken at once, their messages
        /// fetched with one `doveadm` run per mailbox; default 32 (1: each on its own).
        public var batch: Int
        /// `retry_initial`: seconds before the first retry of a transient failure; default 1.
        public var retryInitial: Int
        /// `retry_max`: the longest wait between retries, in seconds; default 300.
        public var retryMax: Int

        /// Creates the section; the parameters default to the documented defaults.
        public init(
            usersInFlight: Int = 4,
            queue: Int = 1000,
            batch: Int = 32,
            retryInitial: Int = 1,
            retryMax: Int = 300
        ) {
            self.usersInFlight = usersInFlight
            self.queue = queue
            self.batch = batch
            self.retryInitial = retryInitial
            self.retryMax = retryMax
        }
    }

    /// `[state]`.
    public struct State: Sendable, Equatable {
        /// `directory`: where the ledger and cursor live; default `/var/lib/junkwatch`.
        public var directory: String
        /// `dedupe_days`: how long a learn is remembered, so that the same action again is not
        /// sent twice; default 30.
        public var dedupeDays: Int

        /// Creates the section; the parameters default to the documented defaults.
        public init(directory: String = "/var/lib/junkwatch", dedupeDays: Int = 30) {
            self.directory = directory
            self.dedupeDays = dedupeDays
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
