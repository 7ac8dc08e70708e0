import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Users of a test's own, added to the testbed dovecot's passwd-file.
///
/// The testbed's five users are shared by every suite running at the same time, and every
/// testbed on the machine logs to the same `_SYSTEMD_UNIT=dovecot.service`. A user made for one
/// test (`carol.o'neil+1a2b3c4d@example.org`) narrows a replay to that test's moves with `--user`,
/// and its Bayes counters (`RS<user>` in Redis) and SpamAssassin database move only with what the
/// test does. dovecot's auth process re-reads the passwd-file when its size or time changes, but
/// looks at most once a second: both edits wait until doveadm sees them.
extension Testbed {
    /// Serializes edits of the passwd-file within this process.
    private static let usersFileLock = Mutex(())

    /// Users with the characters the testbed's own users have (`'`, `+`, a space, `$( )`) plus a
    /// unique part, so that a test covers them without sharing their state with other tests.
    static func oddUsers() -> [String] {
        let tag = UUID().uuidString.prefix(8).lowercased()
        return [
            "carol.o'neil+\(tag)@example.org",
            "dave smith \(tag)@example.net",
            "x$(reboot)\(tag)@example.com",
        ]
    }

    /// A plain user for this test only.
    static func plainUser(_ label: String) -> String {
        unique(label) + "@example.com"
    }

    /// Adds `users` to dovecot's passwd-file, with the testbed's password.
    func addUsers(_ users: [String]) async throws {
        let lines = users.map { "\(Self.passwdKey($0)):{PLAIN}\(password)::::::\n" }.joined()
        try Self.usersFileLock.withLock { _ in
            try append(Array(lines.utf8))
        }
        for user in users { try await awaitUser(user, exists: true) }
    }

    /// Takes `user` out of dovecot's passwd-file (its line becomes a comment): doveadm then
    /// answers "unknown user" (exit 67) for it, as for an account deleted after its moves.
    func removeUser(_ user: String) async throws {
        let key = Array((Self.passwdKey(user) + ":").utf8)
        try Self.usersFileLock.withLock { _ in
            let content = try [UInt8](Data(contentsOf: URL(fileURLWithPath: usersFile)))
            var offset = 0
            var found: Int?
            for line in content.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                if line.starts(with: key) { found = offset }
                offset += line.count + 1
            }
            guard let found else { throw Unexpected(description: "\(user) is not in \(usersFile)") }
            // One byte in place, so that dovecot reading the file meanwhile sees either line; then
            // a line more, so that the size changes even within the same second.
            let descriptor = open(usersFile, O_WRONLY)
            guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            defer { close(descriptor) }
            var hash = UInt8(ascii: "#")
            guard pwrite(descriptor, &hash, 1, off_t(found)) == 1 else {
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
            try append(Array("# removed by a test\n".utf8))
        }
        try await awaitUser(user, exists: false)
    }

    /// Waits until `doveadm user` finds `user` (exit 0) or not (exit 67).
    private func awaitUser(_ user: String, exists: Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let result = try await Program.run([doveadm, "-c", dovecotConfig, "user", "--", user])
            if result.status == (exists ? 0 : 67) { return }
            guard ContinuousClock.now < deadline else {
                throw Program.Failed(arguments: ["doveadm", "user", user], result: result)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    private func append(_ bytes: [UInt8]) throws {
        let descriptor = open(usersFile, O_WRONLY | O_APPEND)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }

    /// dovecot 2.3 escapes `\`, `'` and `"` in the passwd-file lookup key, as scripts/testbed does.
    private static func passwdKey(_ user: String) -> String {
        var key = ""
        for character in user {
            if character == "\\" || character == "'" || character == "\"" { key.append("\\") }
            key.append(character)
        }
        return key
    }
}
