import Foundation
import TestSupport

/// Drives the testbed's dovecot like a mail client, through `scripts/testbed-imap` (a move of
/// several messages and an expunge are ``Testbed/move(user:from:to:uids:)`` and
/// ``Testbed/expunge(user:mailbox:uid:)``, which the junkwatch tests use too).
///
/// Values go as `--option=value`, so that a mailbox named `-x` is not taken for an option.
struct TestbedIMAP {
    let testbed: TestbedEnvironment

    /// A generated message (no server involved): CRLF line ends, the given Message-ID.
    func message(messageID: String, size: Int? = nil, spam: Bool = false, user: String = "alice@example.com")
        async throws -> Data
    {
        var arguments = [
            testbed.imapDriver, "message", "--user=\(user)", "--message-id=\(messageID)", "--seed=\(messageID)",
        ]
        if let size { arguments += ["--size", String(size)] }
        if spam { arguments.append("--spam") }
        return Data(try await Program.check(arguments, environment: testbed.variables).bytes)
    }

    /// A generated message without a Message-ID header.
    func messageWithoutID(seed: String) async throws -> Data {
        Data(
            try await Program.check(
                [testbed.imapDriver, "message", "--no-message-id", "--seed=\(seed)"],
                environment: testbed.variables
            ).bytes
        )
    }

    /// APPENDs `message` to `mailbox`; returns its UID.
    func append(_ message: Data, user: String, mailbox: String) async throws -> UInt32 {
        let result = try await Program.check(
            [testbed.imapDriver, "append", "--user=\(user)", "--mailbox=\(mailbox)", "--file=-"],
            input: Array(message),
            environment: testbed.variables
        )
        return try uid(result)
    }

    /// UID COPY or MOVE; returns the destination UID.
    func transfer(_ verb: String, user: String, from source: String, to destination: String, uid: UInt32) async throws
        -> UInt32
    {
        let result = try await Program.check(
            [testbed.imapDriver, verb, "--user=\(user)", "--from=\(source)", "--to=\(destination)", "--uid=\(uid)"],
            environment: testbed.variables
        )
        return try self.uid(result)
    }

    /// UID STORE +FLAGS and/or -FLAGS.
    func store(user: String, mailbox: String, uid: UInt32, add: [String] = [], remove: [String] = []) async throws {
        var arguments = [testbed.imapDriver, "store", "--user=\(user)", "--mailbox=\(mailbox)", "--uid=\(uid)"]
        arguments += add.map { "--add-flags=\($0)" } + remove.map { "--remove-flags=\($0)" }
        try await Program.check(arguments, environment: testbed.variables)
    }

    /// Reads a message as a client does (sets \Seen).
    func read(user: String, mailbox: String, uid: UInt32) async throws {
        try await Program.check(
            [testbed.imapDriver, "fetch-read", "--user=\(user)", "--mailbox=\(mailbox)", "--uid=\(uid)"],
            environment: testbed.variables
        )
    }

    /// Delivers a generated message over LMTP; with `spam`, the testbed's sieve files it into Junk.
    func deliver(user: String, messageID: String, spam: Bool) async throws {
        var arguments = [testbed.imapDriver, "deliver", "--user=\(user)", "--message-id=\(messageID)"]
        if spam { arguments.append("--spam") }
        try await Program.check(arguments, environment: testbed.variables)
    }

    private func uid(_ result: Program.Result) throws -> UInt32 {
        let text = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let uid = UInt32(text) else {
            throw Program.Failed(arguments: ["testbed-imap"], result: result)
        }
        return uid
    }
}
