import Foundation
import TestSupport
import Testing

/// The testbed that `scripts/testbed start` runs (journald, dovecot, Redis, rspamd, SpamAssassin
/// on loopback), as its `JUNKWATCH_TESTBED_*` variables describe it: what the `junkwatch` program
/// is tested against end to end.
///
/// Tests gated on it are skipped without a testbed, and fail without one when
/// `JUNKWATCH_REQUIRE_INTEGRATION=1`. (JunkwatchCoreTests has its own `TestbedEnvironment`; test
/// targets cannot share internal helpers, and this one only needs what a replay needs.)
struct Testbed: Sendable {
    /// Whether a gated test should run (and then fail if the testbed is missing).
    static var shouldRun: Bool {
        Integration.required || ProcessInfo.processInfo.environment["JUNKWATCH_TESTBED_DIR"] != nil
    }

    /// Why gated tests are skipped.
    static let skipReason: Comment = "needs the testbed: eval \"$(scripts/testbed start)\""

    struct Missing: Error, CustomStringConvertible {
        var name: String
        var description: String { "\(name) is not set: start the testbed (eval \"$(scripts/testbed start)\")" }
    }

    /// The testbed is not as a test left it.
    struct Unexpected: Error, CustomStringConvertible {
        var description: String
    }

    let imapDriver: String
    let doveadm: String
    let dovecotConfig: String
    /// dovecot's passwd-file, next to its configuration: tests add users of their own to it.
    let usersFile: String
    let redisHost: String
    let redisPort: String
    let rspamdURL: String
    let rspamdScanURL: String
    let rspamdPasswordFile: String
    let rspamdStart: String
    let rspamdStop: String
    /// Everything the IMAP driver reads (host, port, password).
    let variables: [String: String]

    /// The testbed's settings; throws when a variable is missing.
    static func current() throws -> Testbed {
        try Testbed(ProcessInfo.processInfo.environment)
    }

    init(_ environment: [String: String]) throws {
        func value(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else { throw Missing(name: name) }
            return value
        }
        imapDriver = try value("JUNKWATCH_TESTBED_IMAP_DRIVER")
        doveadm = try value("JUNKWATCH_TESTBED_DOVEADM")
        dovecotConfig = try value("JUNKWATCH_TESTBED_DOVECOT_CONFIG")
        usersFile = URL(fileURLWithPath: dovecotConfig).deletingLastPathComponent().appendingPathComponent("users").path
        redisHost = try value("JUNKWATCH_TESTBED_REDIS_HOST")
        redisPort = try value("JUNKWATCH_TESTBED_REDIS_PORT")
        rspamdURL = try value("JUNKWATCH_TESTBED_RSPAMD_URL")
        rspamdScanURL = try value("JUNKWATCH_TESTBED_RSPAMD_SCAN_URL")
        rspamdPasswordFile = try value("JUNKWATCH_TESTBED_RSPAMD_PASSWORD_FILE")
        rspamdStart = try value("JUNKWATCH_TESTBED_RSPAMD_START")
        rspamdStop = try value("JUNKWATCH_TESTBED_RSPAMD_STOP")
        _ = try value("JUNKWATCH_TESTBED_IMAP_PORT")
        _ = try value("JUNKWATCH_TESTBED_PASSWORD")
        variables = environment.filter { $0.key.hasPrefix("JUNKWATCH_TESTBED_") }
    }

    /// A name no other test (or earlier run against the same testbed) uses.
    static func unique(_ label: String) -> String {
        "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
