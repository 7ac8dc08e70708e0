import Foundation
import JunkwatchCore
import Testing

@Suite("RspamdPassword")
struct RspamdPasswordTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-pw-\(UUID().uuidString)")
            .path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a password file's trailing newline is not part of the password")
    func trailingNewline() throws {
        let path = try write("s3cret\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try RspamdPassword.file(path).load(environment: [:]) == "s3cret")
    }

    @Test("a missing file is a configuration error that names it")
    func missing() {
        let error = #expect(throws: StageError.self) {
            try RspamdPassword.file("/nonexistent/rspamd-password").load(environment: [:])
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("/nonexistent/rspamd-password") == true)
    }

    @Test("an empty file or one with several lines is refused", arguments: ["\n", "", "one\ntwo\n", "a\rb"])
    func refused(content: String) throws {
        let path = try write(content)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: StageError.self) { try RspamdPassword.file(path).load(environment: [:]) }
    }

    @Test("a systemd credential is read from $CREDENTIALS_DIRECTORY")
    func credential() throws {
        let path = try write("from-credential\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let url = URL(fileURLWithPath: path)
        let environment = ["CREDENTIALS_DIRECTORY": url.deletingLastPathComponent().path]
        #expect(
            try RspamdPassword.credential(url.lastPathComponent).load(environment: environment) == "from-credential"
        )
    }

    @Test("a credential outside a unit with credentials is a configuration error")
    func credentialWithoutDirectory() {
        let error = #expect(throws: StageError.self) { try RspamdPassword.credential("rspamd").load(environment: [:]) }
        #expect(error?.message.contains("CREDENTIALS_DIRECTORY") == true)
        #expect(throws: StageError.self) {
            try RspamdPassword.credential("../x").load(environment: ["CREDENTIALS_DIRECTORY": "/run"])
        }
    }

    @Test("no password is no password")
    func none() throws {
        #expect(try RspamdPassword.none.load(environment: [:]) == nil)
    }
}
