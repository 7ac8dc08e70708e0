import Foundation
import TestSupport
import Testing

/// The testbed that `scripts/testbed start` runs (dovecot, Redis, rspamd, SpamAssassin on
/// loopback), as its `JUNKWATCH_TESTBED_*` environment variables describe it.
///
/// Tests gated on it are skipped on a machine without a testbed, unless
/// `JUNKWATCH_REQUIRE_INTEGRATION=1` (what CI sets): then they run anyway and fail on the first
/// missing variable, because a skip in CI proves nothing.
struct TestbedEnvironment {
    /// Whether CI demands the integration tests.
    static var required: Bool { Integration.required }

    /// Whether a testbed's environment is there.
    static var available: Bool {
        ProcessInfo.processInfo.environment["JUNKWATCH_TESTBED_DIR"] != nil
    }

    /// Whether a gated test should run (and then fail if the testbed is missing).
    static var shouldRun: Bool { required || available }

    /// Why gated tests are skipped.
    static let skipReason: Comment = "needs the testbed: eval \"$(scripts/testbed start)\""

    struct Missing: Error, CustomStringConvertible {
        var name: String
        var description: String { "\(name) is not set: start the testbed (eval \"$(scripts/testbed start)\")" }
    }

    /// The testbed's settings; throws when a variable is missing.
    static func current() throws -> TestbedEnvironment {
        try TestbedEnvironment(ProcessInfo.processInfo.environment)
    }

    let directory: String
    let imapDriver: String
    let doveadm: String
    let dovecotConfig: String
    let redisHost: String
    let redisPort: String
    let rspamdURL: String
    let rspamdScanURL: String
    let rspamdPasswordFile: String
    let rspamdStart: String
    let rspamdStop: String
    let fuzzySpamFlag: Int
    let fuzzyHamFlag: Int
    let spamAssassinRoot: String
    /// Everything the IMAP driver reads (host, port, password).
    let variables: [String: String]

    init(_ environment: [String: String]) throws {
        func value(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else { throw Missing(name: name) }
            return value
        }
        directory = try value("JUNKWATCH_TESTBED_DIR")
        imapDriver = try value("JUNKWATCH_TESTBED_IMAP_DRIVER")
        doveadm = try value("JUNKWATCH_TESTBED_DOVEADM")
        dovecotConfig = try value("JUNKWATCH_TESTBED_DOVECOT_CONFIG")
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
        _ = try value("JUNKWATCH_TESTBED_PASSWORD")
        variables = environment.filter { $0.key.hasPrefix("JUNKWATCH_TESTBED_") }
    }

    /// A name no other test (or earlier run against the same testbed) uses: for Message-IDs,
    /// rspamd users, database directories.
    static func unique(_ label: String) -> String {
        "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
