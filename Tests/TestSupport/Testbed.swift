import Foundation
public import Testing

/// The testbed that `scripts/testbed start` runs (journald, dovecot, Redis, rspamd, SpamAssassin
/// on loopback), as its `JUNKWATCH_TESTBED_*` environment variables describe it.
///
/// Gate tests on it with `.needsTestbed`: they are skipped on a machine without a testbed, unless
/// `JUNKWATCH_REQUIRE_INTEGRATION=1` (what CI sets): then they run anyway and fail on the first
/// missing variable, because a skip in CI proves nothing.
public struct Testbed: Sendable {
    /// Whether a testbed's environment is there.
    public static var available: Bool {
        ProcessInfo.processInfo.environment["JUNKWATCH_TESTBED_DIR"] != nil
    }

    /// Whether a gated test should run (and then fail if the testbed is missing).
    public static var shouldRun: Bool { Integration.required || available }

    /// Why gated tests are skipped.
    public static let skipReason: Comment = "needs the testbed: eval \"$(scripts/testbed start)\""

    /// A variable the testbed sets is not there.
    public struct Missing: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "\(name) is not set: start the testbed (eval \"$(scripts/testbed start)\")" }
    }

    /// The testbed is not as a test left it, or a tool's answer makes no sense.
    public struct Unexpected: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// The testbed's settings from this process's environment; throws ``Missing`` when a variable is missing.
    public static func current() throws -> Testbed {
        try Testbed(ProcessInfo.processInfo.environment)
    }

    /// The testbed's directory.
    public let directory: String
    /// `scripts/testbed-imap`, which drives dovecot as a mail client does.
    public let imapDriver: String
    public let doveadm: String
    public let dovecotConfig: String
    /// dovecot's passwd-file, next to its configuration: tests add users of their own to it.
    public let usersFile: String
    /// The password of every user.
    public let password: String
    public let redisHost: String
    public let redisPort: String
    /// rspamd's controller.
    public let rspamdURL: String
    /// rspamd's normal worker, which scans.
    public let rspamdScanURL: String
    public let rspamdPasswordFile: String
    /// Scripts that start rspamd (and wait until it answers) and stop it.
    public let rspamdStart: String
    public let rspamdStop: String
    public let fuzzySpamFlag: Int
    public let fuzzyHamFlag: Int
    /// Where SpamAssassin databases of tests go.
    public let spamAssassinRoot: String
    /// Everything the IMAP driver reads (host, port, password).
    public let variables: [String: String]

    public init(_ environment: [String: String]) throws {
        func value(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else { throw Missing(name: name) }
            return value
        }
        directory = try value("JUNKWATCH_TESTBED_DIR")
        imapDriver = try value("JUNKWATCH_TESTBED_IMAP_DRIVER")
        doveadm = try value("JUNKWATCH_TESTBED_DOVEADM")
        dovecotConfig = try value("JUNKWATCH_TESTBED_DOVECOT_CONFIG")
        usersFile = URL(fileURLWithPath: dovecotConfig).deletingLastPathComponent().appendingPathComponent("users").path
        password = try value("JUNKWATCH_TESTBED_PASSWORD")
        redisHost = try value("JUNKWATCH_TESTBED_REDIS_HOST")
        redisPort = try value("JUNKWATCH_TESTBED_REDIS_PORT")
        rspamdURL = try value("JUNKWATCH_TESTBED_RSPAMD_URL")
        rspamdScanURL = try value("JUNKWATCH_TESTBED_RSPAMD_SCAN_URL")
        rspamdPasswordFile = try value("JUNKWATCH_TESTBED_RSPAMD_PASSWORD_FILE")
        rspamdStart = try value("JUNKWATCH_TESTBED_RSPAMD_START")
        rspamdStop = try value("JUNKWATCH_TESTBED_RSPAMD_STOP")
        fuzzySpamFlag = Int(try value("JUNKWATCH_TESTBED_FUZZY_FLAG_SPAM")) ?? 1
        fuzzyHamFlag = Int(try value("JUNKWATCH_TESTBED_FUZZY_FLAG_HAM")) ?? 3
        spamAssassinRoot = try value("JUNKWATCH_TESTBED_SA_DBROOT")
        _ = try value("JUNKWATCH_TESTBED_IMAP_PORT")
        variables = environment.filter { $0.key.hasPrefix("JUNKWATCH_TESTBED_") }
    }

    /// A name no other test (or earlier run against the same testbed) uses: for Message-IDs,
    /// users, mailboxes, database directories.
    public static func unique(_ label: String) -> String {
        "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when a testbed's environment is there, or when CI requires it (then a
    /// missing testbed fails it).
    public static var needsTestbed: Self {
        .enabled(if: Testbed.shouldRun, Testbed.skipReason)
    }
}

/// What the learners' own state says was learned, and moves as a mail client makes them.
extension Testbed {
    /// rspamd's Bayes counters of `bayesUser` (`HMGET RS<bayesUser> learns_ham learns_spam` in
    /// Redis): 0 where the key or field does not exist.
    public func bayesLearns(_ bayesUser: String) async throws -> (ham: Int, spam: Int) {
        let result = try await Program.check([
            "/usr/bin/redis-cli", "-h", redisHost, "-p", redisPort, "--raw", "HMGET", "RS\(bayesUser)", "learns_ham",
            "learns_spam",
        ])
        let values = result.output.split(separator: "\n", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        return (values.first ?? 0, values.dropFirst().first ?? 0)
    }

    /// The `FUZZY_*` symbols rspamd's normal worker reports for `message`.
    public func fuzzySymbols(_ message: [UInt8]) async throws -> Set<String> {
        let result = try await Program.check(
            [
                "/usr/bin/curl", "-sS", "--max-time", "10", "-X", "POST", "--data-binary", "@-",
                rspamdScanURL + "/checkv2",
            ],
            input: message
        )
        guard let json = try JSONSerialization.jsonObject(with: Data(result.bytes)) as? [String: Any] else {
            throw Unexpected(description: "rspamd's scan is not a JSON object: \(result.output)")
        }
        let symbols = (json["symbols"] as? [String: Any]) ?? [:]
        return Set(symbols.keys.filter { $0.hasPrefix("FUZZY_") })
    }

    /// Waits for the fuzzy storage's next sync (1 s in the testbed; up to 30 s on a loaded
    /// machine) to show what `expected` wants; returns the symbols last seen.
    public func awaitFuzzy(_ message: [UInt8], _ expected: (Set<String>) -> Bool) async throws -> Set<String> {
        let deadline = ContinuousClock.now + .seconds(30)
        var symbols = try await fuzzySymbols(message)
        while !expected(symbols), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            symbols = try await fuzzySymbols(message)
        }
        return symbols
    }

    /// UID MOVE over IMAP, as a mail client moves; returns the UIDs in `destination`.
    ///
    /// Values go as `--option=value`, so that a mailbox named `-x` is not taken for an option.
    @discardableResult
    public func move(user: String, from source: String, to destination: String, uids: [UInt32]) async throws
        -> [UInt32]
    {
        let list = uids.map(String.init).joined(separator: ",")
        let result = try await Program.check(
            [imapDriver, "move", "--user=\(user)", "--from=\(source)", "--to=\(destination)", "--uid=\(list)"],
            environment: variables
        )
        return result.output.split(whereSeparator: { $0 == "," || $0.isWhitespace }).compactMap { UInt32($0) }
    }

    /// Deletes a message for good over IMAP (\Deleted, then UID EXPUNGE).
    public func expunge(user: String, mailbox: String, uid: UInt32) async throws {
        try await Program.check(
            [imapDriver, "expunge", "--user=\(user)", "--mailbox=\(mailbox)", "--uid=\(uid)"],
            environment: variables
        )
    }
}
