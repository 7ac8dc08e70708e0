#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Trains rspamd's Bayes classifier by running `rspamc learn_ham|learn_spam` with the message
/// on standard input: what IMAPSieve scripts do, for sites that want rspamc's behaviour.
/// ``RspamdLearner`` does the same over HTTP at a fraction of the cost.
///
/// The argument vector is `rspamc -j [--connect=HOST:PORT] [--password=FILE] [--timeout=S]
/// [--deliver=USER] [--header=Learn-Type: bulk] learn_ham`, each option and its value in one
/// element, so that a value starting with `-` stays a value. The password never appears on the
/// command line: rspamc 3.4 reads `--password` from a file when the value starts with `/` or `.`,
/// so only the file's path does (`/proc/PID/cmdline` shows it, not the password). rspamc sends
/// the value itself as the password when that file cannot be opened, so the file is checked
/// first.
///
/// rspamc exits 0 whatever rspamd answered (learned, already learned, too few tokens); its JSON
/// on standard output tells them apart. Exit 1 means no answer or an HTTP error, printed as
/// `HTTP error: 401, Unauthorized` or `IO write error: Connection refused`.
public struct RspamcLearner: Learner {
    /// How to run rspamc.
    public struct Configuration: Sendable, Hashable {
        /// The `rspamc` program.
        public var rspamcPath: String
        /// The controller as `host:port` (`--connect`); `nil` for rspamc's default, localhost:11334.
        public var connect: String?
        /// Where the controller password comes from.
        public var password: RspamdPassword
        /// Whose Bayes database each learn goes to (`--deliver`).
        public var scope: BayesScope
        /// Whether to send `Learn-Type: bulk` (see ``RspamdLearner/bulk``).
        public var bulk: Bool
        /// The longest one run may take; rspamc is then stopped.
        public var timeout: Duration

        /// Creates a configuration.
        public init(
            rspamcPath: String = "/usr/bin/rspamc",
            connect: String? = nil,
            password: RspamdPassword = .none,
            scope: BayesScope = .user,
            bulk: Bool = false,
            timeout: Duration = .seconds(30)
        ) {
            self.rspamcPath = rspamcPath
            self.connect = connect
            self.password = password
            self.scope = scope
            self.bulk = bulk
            self.timeout = timeout
        }
    }

    /// How rspamc is run.
    public let configuration: Configuration
    private let environment: [String: String]

    /// `rspamc`.
    public var name: String { "rspamc" }

    /// Creates an rspamc learner.
    ///
    /// - Parameter environment: where `CREDENTIALS_DIRECTORY` is looked up; by default the process's.
    public init(configuration: Configuration = Configuration(), environment: [String: String]? = nil) {
        self.configuration = configuration
        self.environment = environment ?? RspamdPassword.processEnvironment()
    }

    /// The arguments for one learn, after the program name.
    ///
    /// - Throws: a configuration error when the password file is not an absolute, readable path;
    ///   a permanent one for a user name with control characters.
    public func arguments(for verdict: MessageClass, user: String) throws(StageError) -> [String] {
        try arguments(for: verdict, deliverTo: configuration.scope.deliverTo(for: user))
    }

    private func arguments(for verdict: MessageClass, deliverTo: String?) throws(StageError) -> [String] {
        var arguments = ["-j"]
        if let connect = configuration.connect {
            arguments.append("--connect=\(connect)")
        }
        if let path = try configuration.password.path(environment: environment) {
            guard path.hasPrefix("/") else {
                throw .configuration(
                    "the \(configuration.password.settingDescription) must be an absolute path: "
                        + "rspamc would send a relative one as the password itself"
                )
            }
            // rspamc falls back to sending the path as the password when it cannot open the file.
            _ = try configuration.password.load(environment: environment)
            arguments.append("--password=\(path)")
        }
        let seconds = configuration.timeout.components.seconds
        arguments.append("--timeout=\(max(1, seconds))")
        if let deliverTo {
            arguments.append("--deliver=\(deliverTo)")
        }
        if configuration.bulk {
            arguments.append("--header=Learn-Type: bulk")
        }
        arguments.append(verdict == .ham ? "learn_ham" : "learn_spam")
        return arguments
    }

    /// Runs rspamc once with the message on standard input.
    public func learn(
        _ message: [UInt8],
        as verdict: MessageClass,
        locator: MessageLocator,
        reversal: Bool
    ) async -> LearnOutcome {
        let deliverTo: String?
        let arguments: [String]
        do {
            deliverTo = try configuration.scope.deliverTo(for: locator.user)
            arguments = try self.arguments(for: verdict, deliverTo: deliverTo)
        } catch {
            return .failed(error)
        }
        let process = ChildProcess(
            executable: configuration.rspamcPath,
            arguments: arguments,
            input: message,
            // rspamc has its own --timeout; this one catches a hung process.
            timeout: configuration.timeout + .seconds(5)
        )
        let report: ChildProcess.Report<BoundedCollector>
        do {
            report = try await process.run(collecting: BoundedCollector(limit: 64 * 1024))
        } catch {
            return .failed(error.stageError(program: "rspamc", remedy: "install rspamd-client or set the rspamc path"))
        }
        return Self.interpret(
            report.status,
            output: report.output.bytes,
            standardError: report.standardError,
            verdict: verdict,
            deliverTo: deliverTo,
            configuration: configuration
        )
    }

    /// Turns rspamc's exit status and output into an outcome.
    static func interpret(
        _ status: ChildProcess.Status,
        output: [UInt8],
        standardError: [UInt8],
        verdict: MessageClass,
        deliverTo: String?,
        configuration: Configuration
    ) -> LearnOutcome {
        guard status == .exited(0) else {
            if let (code, reason) = httpError(in: String(decoding: output + standardError, as: UTF8.self)) {
                // The same statuses as over HTTP, and the same settings to fix: rspamc's
                // --connect and --password come from rspamd.url and the rspamd password.
                return .failed(
                    RspamdController.statusError(
                        code,
                        errorText: reason,
                        path: verdict == .ham ? "/learnham" : "/learnspam",
                        url: configuration.connect ?? "localhost:11334",
                        password: configuration.password
                    )
                )
            }
            let said = StageText.oneLine(output + standardError)
            return .failed(.transient("rspamc failed (\(status)): \(said.isEmpty ? "no output" : said)"))
        }
        struct Answer: Decodable {
            var success: Bool?
            var error: String?
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(output)) else {
            return .failed(
                .transient("rspamc printed something other than JSON: \(StageText.oneLine(output, limit: 200))")
            )
        }
        if answer.success == true {
            let whose = deliverTo.map { "for \($0)" } ?? "globally"
            return .learned(detail: "rspamc learned it as \(verdict.rawValue) \(whose)")
        }
        let error = answer.error ?? "no success and no error in rspamc's answer"
        if error.contains("already learned") {
            return .alreadyLearned(detail: error)
        }
        if error.contains("less tokens than required") || error.contains("learn conditions denied") {
            return .skipped(reason: "rspamd declined it: \(error)")
        }
        return .failed(.permanent("rspamc: \(error)"))
    }

    /// The status code and reason in rspamc's `HTTP error: 401, Unauthorized` line.
    static func httpError(in output: String) -> (status: Int, reason: String)? {
        let marker = "HTTP error: "
        guard let line = output.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix(marker) }),
            let status = StageText.number(after: marker, in: String(line))
        else { return nil }
        let afterStatus = line.dropFirst(marker.count).drop { $0.isNumber }
        let reason = afterStatus.hasPrefix(",") ? afterStatus.dropFirst() : afterStatus
        return (status, StageText.trimmed(String(reason)))
    }
}

extension RspamcLearner {
    /// Checks that the program exists and can be run.
    public func check() async -> StageError? {
        ChildProcess.checkRunnable(configuration.rspamcPath, setting: "rspamd.rspamc")
    }
}
