import Foundation

/// Drives the testbed's dovecot like a mail client, through `scripts/testbed-imap`.
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
        return try await TestProcess.check(arguments, environment: testbed.variables).output
    }

    /// APPENDs `message` to `mailbox`; returns its UID.
    func append(_ message: Data, user: String, mailbox: String) async throws -> UInt32 {
        let result = try await TestProcess.check(
            [testbed.imapDriver, "append", "--user=\(user)", "--mailbox=\(mailbox)", "--file=-"],
            input: message,
            environment: testbed.variables
        )
        return try uid(result)
    }

    /// UID COPY or MOVE; returns the destination UID.
    func transfer(_ verb: String, user: String, from source: String, to destination: String, uid: UInt32) async throws
        -> UInt32
    {
        let result = try await TestProcess.check(
            [testbed.imapDriver, verb, "--user=\(user)", "--from=\(source)", "--to=\(destination)", "--uid=\(uid)"],
            environment: testbed.variables
        )
        return try self.uid(result)
    }

    /// Deletes a message for good.
    func expunge(user: String, mailbox: String, uid: UInt32) async throws {
        try await TestProcess.check(
            [testbed.imapDriver, "expunge", "--user=\(user)", "--mailbox=\(mailbox)", "--uid=\(uid)"],
            environment: testbed.variables
        )
    }

    private func uid(_ result: TestProcess.Result) throws -> UInt32 {
        let text = result.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let uid = UInt32(text) else {
            throw TestProcess.Failed(command: ["testbed-imap"], result: result)
        }
        return uid
    }
}
