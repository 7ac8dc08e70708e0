import Foundation
import TestSupport
import Testing

/// The testbed (`scripts/testbed start`) as the service tests use it: dovecot to move mail in,
/// doveadm to put mail there quietly, Redis to read rspamd's per-user Bayes counters.
///
/// Gated like the other integration tests: skipped without a testbed, failing when
/// `JUNKWATCH_REQUIRE_INTEGRATION=1` and the testbed is missing.
struct ServiceTestbed: Sendable {
    static var shouldRun: Bool {
        Integration.required || ProcessInfo.processInfo.environment["JUNKWATCH_TESTBED_DIR"] != nil
    }
    static let skipReason: Comment = "needs the testbed: eval \"$(scripts/testbed start)\""

    let directory: String
    let imapDriver: String
    let doveadm: String
    let dovecotConfig: String
    let redisHost: String
    let redisPort: String
    let rspamdURL: String
    let rspamdPasswordFile: String

    init() throws {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw ServiceProcessError(description: "\(name) is not set: start the testbed (eval \"$(scripts/testbed start)\")")
            }
            return value
        }
        directory = try value("JUNKWATCH_TESTBED_DIR")
        imapDriver = try value("JUNKWATCH_TESTBED_IMAP_DRIVER")
        doveadm = try value("JUNKWATCH_TESTBED_DOVEADM")
        dovecotConfig = try value("JUNKWATCH_TESTBED_DOVECOT_CONFIG")
        redisHost = try value("JUNKWATCH_TESTBED_REDIS_HOST")
        redisPort = try value("JUNKWATCH_TESTBED_REDIS_PORT")
        rspamdURL = try value("JUNKWATCH_TESTBED_RSPAMD_URL")
        rspamdPasswordFile = try value("JUNKWATCH_TESTBED_RSPAMD_PASSWORD_FILE")
        // The IMAP driver reads these itself.
        _ = try value("JUNKWATCH_TESTBED_IMAP_PORT")
        _ = try value("JUNKWATCH_TESTBED_PASSWORD")
    }

    /// Puts `messages` into `user`'s `mailbox` without a line in the journal: `doveadm import`
    /// from an mbox file logs to its own standard error, so junkwatch sees nothing of it, and
    /// one run imports hundreds of messages.
    /// - Returns: the UID of each message, by Message-ID.
    func put(_ messages: [TestMail], user: String, mailbox: String) async throws -> [String: UInt32] {
        guard !messages.isEmpty else { return [:] }
        let source = "/tmp/jw-import-\(UUID().uuidString.prefix(12).lowercased())"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: source) }
        // The mbox's INBOX is the file "inbox"; any other mailbox is the file of its name.
        let file = source + "/" + (mailbox == "INBOX" ? "inbox" : mailbox)
        var mbox = ""
        for message in messages {
            mbox += "From MAILER-DAEMON Sat Nov 21 08:00:00 2026\n" + message.text + "\n"
        }
        try Data(mbox.utf8).write(to: URL(fileURLWithPath: file))
        // doveadm works as the mail owner, and syncing the mbox wants to write next to it.
        var owner = stat()
        guard stat(directory + "/mail", &owner) == 0 else {
            throw ServiceProcessError(description: "cannot stat \(directory)/mail")
        }
        chmod(source, 0o755)
        chown(source, owner.st_uid, owner.st_gid)
        chown(file, owner.st_uid, owner.st_gid)
        try await Program.check([
            doveadm, "-c", dovecotConfig, "import", "-u", user,
            "mbox:\(source):INBOX=\(source)/inbox:INDEX=MEMORY", "", "mailbox", mailbox,
        ])
        let wanted = Set(messages.map(\.messageID))
        var uids: [String: UInt32] = [:]
        for (messageID, uid) in try await list(user: user, mailbox: mailbox) where wanted.contains(messageID) {
            uids[messageID] = uid
        }
        guard uids.count == wanted.count else {
            throw ServiceProcessError(description: "imported \(wanted.count) messages, found \(uids.count) in \(mailbox)")
        }
        return uids
    }

    /// Message-ID and UID of every message in `user`'s `mailbox`.
    func list(user: String, mailbox: String) async throws -> [(String, UInt32)] {
        let result = try await Program.check([
            doveadm, "-c", dovecotConfig, "-f", "tab", "fetch", "-u", user, "uid hdr.message-id", "mailbox", mailbox,
            "all",
        ])
        return result.output.split(separator: "\n").dropFirst().compactMap { line in
            let columns = line.split(separator: "\t", maxSplits: 1)
            guard columns.count == 2, let uid = UInt32(columns[0]) else { return nil }
            return (columns[1].trimmingCharacters(in: .whitespaces), uid)
        }
    }

    /// A user's UID MOVE over IMAP, as a mail client does it: dovecot logs one `copy from` line
    /// per message (and an `expunge`).
    /// - Returns: the UIDs in `destination`, in the order of `uids`.
    @discardableResult
    func move(user: String, from source: String, to destination: String, uids: [UInt32]) async throws -> [UInt32] {
        let result = try await Program.check([
            imapDriver, "move", "--user=\(user)", "--from=\(source)", "--to=\(destination)",
            "--uid=\(uids.map(String.init).joined(separator: ","))",
        ])
        return result.output.split(whereSeparator: { $0 == "," || $0.isWhitespace }).compactMap { UInt32($0) }
    }

    /// rspamd's per-user Bayes counter `field` (`learns_spam`, `learns_ham`) of `user`.
    func learns(_ field: String, user: String) async throws -> Int {
        let result = try await Program.check([
            "/usr/bin/redis-cli", "-h", redisHost, "-p", redisPort, "--raw", "HGET", "RS\(user)", field,
        ])
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Both counters of `user`.
    func counters(_ user: String) async throws -> (spam: Int, ham: Int) {
        (try await learns("learns_spam", user: user), try await learns("learns_ham", user: user))
    }
}
