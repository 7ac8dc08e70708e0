import Foundation
import TestSupport

/// What the service tests need of the testbed besides what a replay test does.
extension Testbed {
    /// Puts `mail` into `user`'s `mailbox` without a line in the journal (``stage(_:user:mailbox:)``).
    /// - Returns: the UID of each message, by Message-ID.
    func put(_ mail: [TestMail], user: String, mailbox: String) async throws -> [String: UInt32] {
        let uids = try await stage(mail.map(\.message), user: user, mailbox: mailbox)
        return Dictionary(uniqueKeysWithValues: zip(mail.map(\.messageID), uids))
    }

    /// New users of a test's own, added to dovecot: a plain one first, then ones with the odd
    /// characters of the testbed's own (`'`, `+`, a space, `$( )`). Their Bayes counters move only
    /// with what the test does, and stay far below the 200 learns of each class past which
    /// rspamd's Bayes starts to decline messages it already classifies (HTTP 204).
    func newUsers(_ count: Int, label: String) async throws -> [String] {
        precondition(count <= 4)
        let users = Array(([Self.plainUser(label)] + Self.oddUsers()).prefix(count))
        try await addUsers(users)
        return users
    }
}
