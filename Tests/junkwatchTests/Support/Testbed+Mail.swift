import Foundation
import TestSupport

/// Putting mail where a test needs it, and moving it as a user does.
///
/// Staging goes through `doveadm import`, which dovecot logs to doveadm's standard error rather
/// than the journal: staged messages make no decision. The moves that should make one go over
/// IMAP (``Testbed/move(user:from:to:uids:)``), so dovecot's `mail_log` writes the lines a real
/// client causes.
extension Testbed {
    @discardableResult
    private func doveadm(_ arguments: [String], input: [UInt8]? = nil) async throws -> Program.Result {
        try await Program.check([doveadm, "-c", dovecotConfig] + arguments, input: input)
    }

    /// Puts `messages` into `mailbox` of `user` without a trace in the journal; returns their UIDs
    /// in the same order.
    func stage(_ messages: [TestMessage], user: String, mailbox: String) async throws -> [UInt32] {
        // An mbox file imported with in-memory indexes, so that doveadm (running as the mail
        // owner) needs no write access to the directory. The mbox mailbox has the target's name
        // and is imported to the top level, so it lands in that mailbox.
        let directory = try makeTemporaryDirectory("stage")
        defer { try? FileManager.default.removeItem(at: directory) }
        var mbox: [UInt8] = []
        for message in messages {
            mbox += Array("From MAILER-DAEMON Fri Nov 21 08:00:00 2025\n".utf8)
            for line in message.bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                if line.starts(with: Array("From ".utf8)) { mbox.append(UInt8(ascii: ">")) }
                mbox += line
                mbox.append(UInt8(ascii: "\n"))
            }
        }
        let file = directory.appendingPathComponent("staged")
        try Data(mbox).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let location: String
        if mailbox == "INBOX" {
            location = "mbox:\(directory.path):INBOX=\(file.path):INDEX=MEMORY"
        } else {
            try FileManager.default.moveItem(at: file, to: directory.appendingPathComponent(mailbox))
            location = "mbox:\(directory.path):INBOX=/nonexistent:INDEX=MEMORY"
        }
        try await doveadm(["import", "-u", user, "--", location, "", "mailbox", mailbox, "all"])
        return try await uids(of: messages.map(\.messageID), user: user, mailbox: mailbox)
    }

    /// The UIDs of the messages with these Message-IDs in `mailbox`.
    func uids(of messageIDs: [String], user: String, mailbox: String) async throws -> [UInt32] {
        let listing = try await doveadm([
            "-f", "tab", "fetch", "-u", user, "--", "uid hdr.message-id", "mailbox", mailbox, "all",
        ])
        var byID: [String: UInt32] = [:]
        for line in listing.lines.dropFirst() {
            let fields = line.split(separator: "\t", maxSplits: 1)
            if fields.count == 2, let uid = UInt32(fields[0]) { byID[String(fields[1])] = uid }
        }
        return try messageIDs.map { id in
            guard let uid = byID[id] else { throw Unexpected(description: "no \(id) in \(mailbox) of \(user)") }
            return uid
        }
    }
}
