/// Trains SpamAssassin's Bayes database by running `sa-learn --ham|--spam ... -` with the
/// message on standard input (no spamd needed).
///
/// With file databases (the default), each user gets their own database through `--dbpath`
/// (``SpamAssassinDatabasePath``): `sa-learn -u` does not pick a per-user file database.
/// `-u USER` (``Database/username``) is for SQL or Redis Bayes stores with
/// `bayes_sql_override_username`. `HOME` is set to ``Configuration/home``, a directory junkwatch
/// owns, because sa-learn creates `~/.spamassassin` even with `--dbpath`.
///
/// sa-learn prints `Learned tokens from 1 message(s) (1 message(s) examined)` when it learned
/// the message and `from 0 message(s)` when it had already learned it as this class; a message
/// learned as the other class before is relearned by sa-learn itself.
public struct SpamAssassinLearner: Learner {
    /// Which Bayes database to train.
    public enum Database: Sendable, Hashable {
        /// A file database per user: `--dbpath` from the template.
        case perUserPath(SpamAssassinDatabasePath)
        /// `-u USER`: for SQL/Redis Bayes stores that key the database by user name.
        case username
        /// sa-learn's own default database (`bayes_path`, or `~/.spamassassin/bayes` under ``Configuration/home``).
        case shared
    }

    /// How to run sa-learn.
    public struct Configuration: Sendable, Hashable {
        /// The `sa-learn` program.
        public var saLearnPath: String
        /// Which database to train.
        public var database: Database
        /// The `HOME` for sa-learn: a directory owned by junkwatch, e.g. its state directory.
        public var home: String
        /// The longest one run may take (sa-learn compiles its rules at every start: seconds).
        public var timeout: Duration

        /// Creates a configuration.
        public init(
            saLearnPath: String = "/usr/bin/sa-learn",
            database: Database,
            home: String,
            timeout: Duration = .seconds(120)
        ) {
            self.saLearnPath = saLearnPath
            self.database = database
            self.home = home
            self.timeout = timeout
        }
    }

    /// How sa-learn is run.
    public let configuration: Configuration

    /// `spamassassin`.
    public var name: String { "spamassassin" }

    /// Creates a SpamAssassin learner.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The arguments for one learn, after the program name. The message comes on standard input (`-`).
    public func arguments(for verdict: MessageClass, user: String) -> [String] {
        var arguments = [verdict == .ham ? "--ham" : "--spam"]
        switch configuration.database {
        case .perUserPath(let path):
            arguments.append("--dbpath=\(path.path(for: user))")
        case .username:
            arguments.append("--username=\(user)")
        case .shared:
            break
        }
        // Each option and its value in one element, so a value starting with "-" stays a value;
        // "--" ends the options, so the file name "-" (standard input) is never taken for one.
        return arguments + ["--", "-"]
    }

    /// Runs sa-learn once with the message on standard input.
    public func learn(
        _ message: [UInt8],
        as verdict: MessageClass,
        locator: MessageLocator,
        reversal: Bool
    ) async -> LearnOutcome {
        let process = ChildProcess(
            executable: configuration.saLearnPath,
            arguments: arguments(for: verdict, user: locator.user),
            environment: ["HOME": configuration.home],
            input: message,
            timeout: configuration.timeout
        )
        let report: ChildProcess.Report<BoundedCollector>
        do {
            report = try await process.run(collecting: BoundedCollector(limit: 64 * 1024))
        } catch {
            return .failed(error.stageError(program: "sa-learn", remedy: "install spamassassin or set the sa-learn path"))
        }
        return Self.interpret(
            report.status,
            output: report.output.bytes,
            standardError: report.standardError,
            verdict: verdict
        )
    }

    /// Turns sa-learn's exit status and output into an outcome.
    static func interpret(
        _ status: ChildProcess.Status,
        output: [UInt8],
        standardError: [UInt8],
        verdict: MessageClass
    ) -> LearnOutcome {
        let text = String(decoding: output, as: UTF8.self)
        let errors = StageText.oneLine(standardError)
        guard status == .exited(0) else {
            let said = errors.isEmpty ? StageText.oneLine(output) : errors
            if said.contains("Permission denied") || said.contains("cannot create")
                || said.contains("Read-only file system")
            {
                return .failed(.configuration("sa-learn cannot write its database (\(status)): \(said)"))
            }
            return .failed(.transient("sa-learn failed (\(status)): \(said.isEmpty ? "no output" : said)"))
        }
        guard let learned = StageText.number(after: "Learned tokens from ", in: text),
            let examined = StageText.number(after: "message(s) (", in: text)
        else {
            let said = errors.isEmpty ? StageText.oneLine(output, limit: 200) : errors
            return .failed(.transient("sa-learn printed no \"Learned tokens from\" line: \(said)"))
        }
        if examined == 0 {
            return .skipped(reason: "sa-learn examined no message (not a mail message?)")
        }
        if learned == 0 {
            return .alreadyLearned(detail: "SpamAssassin had already learned it as \(verdict.rawValue)")
        }
        return .learned(detail: "SpamAssassin learned it as \(verdict.rawValue)")
    }
}

extension SpamAssassinLearner {
    /// Checks that the program exists and can be run.
    public func check() async -> StageError? {
        ChildProcess.checkRunnable(configuration.saLearnPath, setting: "spamassassin.sa_learn")
    }
}
