#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Fetches messages with the `doveadm` command, with an argument vector.
///
/// `doveadm [-c CONFIG] fetch -u USER 'uid size.physical text' mailbox BOX uid N` prints the UID
/// and the size, then `text:` and the message as stored (read by ``DoveadmBatchCollector``). When that finds nothing (exit 0, no output: the user
/// moved or deleted the message since), the user's mailboxes are searched by Message-ID with
/// `doveadm -f tab fetch -u USER 'mailbox-guid uid mailbox' header Message-ID ID`, whose match
/// is a substring match, so a Message-ID that dovecot cut to 80 characters is searched by its
/// prefix.
///
/// Several messages of one user and mailbox are fetched with one run,
/// `doveadm fetch -u USER 'uid size.physical text' mailbox BOX uid 3,7,9`, whose messages are
/// cut by their sizes (``DoveadmBatchCollector``): a `doveadm` run costs far more than the
/// message it prints.
///
/// A `--` follows `-u USER`: doveadm's getopt would otherwise take a mailbox name or
/// Message-ID that starts with `-` for an option.
///
/// Exit statuses: 67 (unknown user) is a permanent error; 75 (dovecot not reachable) and any
/// other failure or timeout a transient one; 64, 77, 78, a missing `doveadm` or configuration
/// file a configuration error.
public struct DoveadmFetcher: MessageFetcher {
    /// How to run `doveadm`.
    public struct Configuration: Sendable, Hashable {
        /// The `doveadm` program.
        public var doveadmPath: String
        /// Dovecot's configuration file, passed as `-c`; `nil` for doveadm's default.
        public var configFile: String?
        /// The longest one `doveadm` run may take; it is then stopped and the fetch fails
        /// transiently.
        public var timeout: Duration
        /// The largest message to fetch, in bytes; larger ones are ``FetchResult/tooLarge(size:limit:)``
        /// and never held in memory.
        public var sizeLimit: Int
        /// Which mailboxes are junk and trash, to choose between copies found by Message-ID.
        public var mailboxRoles: MailboxRoles
        /// How much of doveadm's standard error to keep for an error message.
        public var standardErrorLimit: Int
        /// The most message bytes one run for several messages holds at once; the messages
        /// past it are fetched one at a time.
        public var batchBudget: Int

        /// Creates a configuration; the defaults suit a stock Debian dovecot.
        public init(
            doveadmPath: String = "/usr/bin/doveadm",
            configFile: String? = nil,
            timeout: Duration = .seconds(30),
            sizeLimit: Int = 20 * 1024 * 1024,
            mailboxRoles: MailboxRoles = .default,
            standardErrorLimit: Int = 4096,
            batchBudget: Int = 16 * 1024 * 1024
        ) {
            self.doveadmPath = doveadmPath
            self.configFile = configFile
            self.timeout = timeout
            self.sizeLimit = sizeLimit
            self.mailboxRoles = mailboxRoles
            self.standardErrorLimit = standardErrorLimit
            self.batchBudget = batchBudget
        }
    }

    /// How `doveadm` is run.
    public let configuration: Configuration

    /// Creates a fetcher.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Fetches the message by mailbox and UID, else by Message-ID; see ``MessageFetcher/fetch(_:preferring:)``.
    public func fetch(_ locator: MessageLocator, preferring verdict: MessageClass?) async throws -> FetchResult {
        try checkFiles()
        let limit = configuration.sizeLimit
        // mail_log's size= is the physical size, as doveadm's size.physical: trust it to skip a run.
        if let size = locator.size, size > limit {
            return .tooLarge(size: size, limit: limit)
        }
        if let uid = locator.uid,
            let mailbox = try await selector(user: locator.user, mailbox: locator.mailbox, uid: uid)
        {
            switch try await fetchText(user: locator.user, where: mailbox, uid: uid) {
            case .message(let bytes):
                return .message(bytes, mailbox: locator.mailbox, uid: uid)
            case .tooLarge(let size):
                return .tooLarge(size: size, limit: limit)
            case .empty:
                break
            }
        }
        let place = locator.uid.map { "uid \($0) of \(StageText.quoted(locator.mailbox))" } ?? "no UID logged"
        guard let key = locator.messageIDSearchKey else {
            return .gone(reason: "not found (\(place)) and it has no Message-ID to search for")
        }
        let candidates = try await search(user: locator.user, messageID: key.text)
        for candidate in ordered(candidates, preferring: verdict) {
            let found = try await fetchText(
                user: locator.user,
                where: ["mailbox-guid", candidate.mailboxGUID],
                uid: candidate.uid
            )
            switch found {
            case .message(let bytes):
                return .message(bytes, mailbox: candidate.mailbox, uid: candidate.uid)
            case .tooLarge(let size):
                return .tooLarge(size: size, limit: limit)
            case .empty:
                continue  // expunged between the search and the fetch
            }
        }
        let what = key.isPrefix ? "starting with" : "with"
        return .gone(
            reason: "not found (\(place)), and no mailbox of the user holds a message \(what) Message-ID \(key.text)"
        )
    }

    // MARK: - several at once

    /// Fetches the messages at `locators` with one `doveadm` run per mailbox; see
    /// ``MessageFetcher/prefetch(_:)``. Left out, for ``fetch(_:preferring:)`` to deal with: a
    /// locator without a UID, in a mailbox whose name has a wildcard, logged as too large, alone
    /// in its mailbox, not found, past the batch budget, or in a run that failed or printed
    /// anything unexpected.
    public func prefetch(_ locators: [MessageLocator]) async -> [MessageLocator: FetchResult] {
        guard (try? checkFiles()) != nil else { return [:] }
        let limit = configuration.sizeLimit
        var groups: [[MessageLocator]] = []
        var groupIndex: [[String]: Int] = [:]
        for locator in locators {
            guard locator.uid != nil, !locator.mailbox.contains("*"), !locator.mailbox.contains("%"),
                (locator.size ?? 0) <= limit
            else { continue }
            let key = [locator.user, locator.mailbox]
            if let index = groupIndex[key] {
                groups[index].append(locator)
            } else {
                groupIndex[key] = groups.count
                groups.append([locator])
            }
        }
        var results: [MessageLocator: FetchResult] = [:]
        for group in groups where group.count > 1 {
            for run in Self.runs(group, budget: configuration.batchBudget) where run.count > 1 {
                let parts = await fetchBatch(
                    user: run[0].user,
                    mailbox: run[0].mailbox,
                    uids: Set(run.compactMap(\.uid))
                )
                for locator in run {
                    switch parts[locator.uid!] {
                    case .message(let bytes)?:
                        results[locator] = .message(bytes, mailbox: locator.mailbox, uid: locator.uid!)
                    case .tooLarge(let size)?:
                        results[locator] = .tooLarge(size: size, limit: limit)
                    case nil:
                        break
                    }
                }
            }
        }
        return results
    }

    /// Splits one mailbox's locators into runs whose logged sizes fit the budget together.
    static func runs(_ locators: [MessageLocator], budget: Int) -> [[MessageLocator]] {
        var runs: [[MessageLocator]] = []
        var current: [MessageLocator] = []
        var bytes = 0
        for locator in locators {
            let size = locator.size ?? 0
            if !current.isEmpty, bytes + size > budget {
                runs.append(current)
                current = []
                bytes = 0
            }
            current.append(locator)
            bytes += size
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// A UID set in IMAP's syntax, with runs of consecutive UIDs as ranges: `3:5,9`.
    static func uidSet(_ uids: Set<UInt32>) -> String {
        var ranges: [String] = []
        let sorted = uids.sorted()
        var start = 0
        while start < sorted.count {
            var end = start
            while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
            ranges.append(end == start ? String(sorted[start]) : "\(sorted[start]):\(sorted[end])")
            start = end + 1
        }
        return ranges.joined(separator: ",")
    }

    /// The messages of one run, by UID; empty when the run failed or its output is not trusted.
    private func fetchBatch(user: String, mailbox: String, uids: Set<UInt32>) async -> [UInt32: DoveadmBatchCollector.Part] {
        let arguments = ["fetch", "-u", user, "--", "uid size.physical text", "mailbox", mailbox, "uid", Self.uidSet(uids)]
        let collector = DoveadmBatchCollector(
            limit: configuration.sizeLimit,
            budget: configuration.batchBudget,
            wanted: uids
        )
        guard let report = try? await run(arguments, collecting: collector) else { return [:] }
        let output = report.output
        if output.problem != nil { return [:] }
        // The collector stopped reading: past the budget, or everything found (the last too large).
        if report.stoppedEarly { return output.parts }
        guard report.status == .exited(0), output.isComplete else { return [:] }
        return output.parts
    }

    // MARK: - doveadm fetch text

    private enum Text {
        case empty
        case message([UInt8])
        case tooLarge(Int)
    }

    private func fetchText(user: String, where mailbox: [String], uid: UInt32) async throws(StageError) -> Text {
        let arguments = ["fetch", "-u", user, "--", "uid size.physical text"] + mailbox + ["uid", String(uid)]
        let limit = configuration.sizeLimit
        let report = try await run(arguments, collecting: DoveadmBatchCollector(limit: limit, budget: limit, wanted: [uid]))
        let output = report.output
        if case .tooLarge(let size)? = output.parts[uid] { return .tooLarge(size) }
        if let problem = output.problem, report.stoppedEarly {
            throw StageError.transient("doveadm fetch for \(StageText.quoted(user)): \(problem)")
        }
        if report.status != .exited(0) {
            // A mailbox GUID that vanished since the search: not there, like a missing UID.
            if report.status == .exited(68), output.parts.isEmpty, output.isComplete, mailbox.first == "mailbox-guid" {
                return .empty
            }
            throw failure(report, user: user, action: "fetch uid \(uid) of \(user)")
        }
        switch output.parts[uid] {
        case .message(let bytes)? where output.isComplete && output.problem == nil:
            return .message(bytes)
        case nil where output.isComplete && output.problem == nil:
            return .empty
        default:
            let why = output.problem ?? "its output ended inside the message"
            throw StageError.transient("doveadm fetch for \(StageText.quoted(user)): \(why)")
        }
    }

    /// The search arguments that select exactly `mailbox`, or `nil` when it holds no `uid`.
    ///
    /// doveadm's `mailbox` search key takes `*` and `%` as wildcards: `mailbox 'Star*Box' uid 1`
    /// also fetches uid 1 of `StarXBox`. Such a name is looked up by its GUID first.
    private func selector(user: String, mailbox: String, uid: UInt32) async throws(StageError) -> [String]? {
        guard mailbox.contains("*") || mailbox.contains("%") else { return ["mailbox", mailbox] }
        let arguments = [
            "-f", "tab", "fetch", "-u", user, "--", "mailbox-guid uid mailbox", "mailbox", mailbox, "uid", String(uid),
        ]
        let report = try await run(arguments, collecting: BoundedCollector(limit: 1024 * 1024))
        guard report.status == .exited(0) else {
            throw failure(report, user: user, action: "look up mailbox \(StageText.quoted(mailbox)) of \(user)")
        }
        let exact = Self.parseSearch(report.output.bytes).first { $0.mailbox == mailbox && $0.uid == uid }
        return exact.map { ["mailbox-guid", $0.mailboxGUID] }
    }

    // MARK: - search by Message-ID

    /// One message found by a Message-ID search.
    struct Candidate: Sendable, Hashable {
        var mailboxGUID: String
        var uid: UInt32
        var mailbox: String
    }

    private func search(user: String, messageID: String) async throws(StageError) -> [Candidate] {
        let arguments = [
            "-f", "tab", "fetch", "-u", user, "--", "mailbox-guid uid mailbox", "header", "Message-ID", messageID,
        ]
        let report = try await run(arguments, collecting: BoundedCollector(limit: 1024 * 1024))
        guard report.status == .exited(0) || report.output.overflowed else {
            throw failure(report, user: user, action: "search by Message-ID for \(user)")
        }
        return Self.parseSearch(report.output.bytes)
    }

    /// Parses `doveadm -f tab fetch 'mailbox-guid uid mailbox'` output: a title line, then one
    /// line per message. The mailbox comes last so that a name with a tab in it stays whole.
    static func parseSearch(_ output: [UInt8]) -> [Candidate] {
        let lines = output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        var candidates: [Candidate] = []
        for line in lines {
            let fields = line.split(separator: UInt8(ascii: "\t"), maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let guid = String(decoding: fields[0], as: UTF8.self)
            guard guid.count == 32, guid.allSatisfy(\.isHexDigit),
                let uid = UInt32(String(decoding: fields[1], as: UTF8.self))
            else { continue }  // the title line, or a line cut by the output limit
            candidates.append(
                Candidate(mailboxGUID: guid, uid: uid, mailbox: String(decoding: fields[2], as: UTF8.self))
            )
        }
        return candidates
    }

    /// The candidates, those in a mailbox that fits `verdict` first, otherwise in doveadm's order.
    func ordered(_ candidates: [Candidate], preferring verdict: MessageClass?) -> [Candidate] {
        guard let verdict else { return candidates }
        let roles = configuration.mailboxRoles
        return candidates.filter { roles.fits($0.mailbox, verdict) }
            + candidates.filter { !roles.fits($0.mailbox, verdict) }
    }

    // MARK: - running doveadm

    private func run<Collector: OutputCollector>(
        _ arguments: [String],
        collecting collector: Collector
    ) async throws(StageError) -> ChildProcess.Report<Collector> {
        let process = ChildProcess(
            executable: configuration.doveadmPath,
            arguments: (configuration.configFile.map { ["-c", $0] } ?? []) + arguments,
            timeout: configuration.timeout,
            standardErrorLimit: configuration.standardErrorLimit
        )
        do {
            return try await process.run(collecting: collector)
        } catch {
            throw error.stageError(program: "doveadm", remedy: "install dovecot-core or set the doveadm path")
        }
    }

    private func failure<Collector>(
        _ report: ChildProcess.Report<Collector>,
        user: String,
        action: String
    ) -> StageError {
        let stderr = StageText.oneLine(report.standardError)
        let said = stderr.isEmpty ? "" : ": \(stderr)"
        switch report.status {
        case .exited(67):
            return .permanent("dovecot has no user \(StageText.quoted(user)) (doveadm exit 67\(said))")
        case .exited(75) where stderr.contains("Error reading configuration"):
            return .configuration("doveadm cannot read its configuration\(said)")
        case .exited(75):
            return .transient("doveadm \(action): dovecot is not reachable (exit 75, temporary failure\(said))")
        case .exited(64):
            return .configuration("doveadm \(action): doveadm rejected the arguments (exit 64\(said))")
        case .exited(77):
            return .configuration(
                "doveadm \(action): permission denied (exit 77\(said)); run junkwatch as a user allowed to use doveadm"
            )
        case .exited(78):
            return .configuration("doveadm \(action): dovecot's configuration is wrong (exit 78\(said))")
        default:
            return .transient("doveadm \(action) failed (\(report.status)\(said))")
        }
    }

    private func checkFiles() throws(StageError) {
        if let configFile = configuration.configFile, access(configFile, R_OK) != 0 {
            let reason = String(cString: strerror(errno))
            throw .configuration(
                "dovecot configuration file \(configFile) cannot be read (\(reason)): fix the doveadm config setting"
            )
        }
    }
}
