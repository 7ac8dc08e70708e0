import Foundation
import TestSupport
import Testing

/// What junkwatch runs, run under `units/junkwatch.service`'s restrictions as
/// `scripts/unit-sandbox` applies them without systemd as PID 1: the capability bounding set,
/// no_new_privs, the supplementary group, the system call filter, the address families,
/// MemoryDenyWriteExecute, a read-only file system and a private /tmp.
@Suite("junkwatch.service's sandbox (testbed dovecot)", .needsTestbed)
struct UnitSandboxTests {
    static let sandbox = InstallTests.repository.appendingPathComponent("scripts/unit-sandbox").path

    let testbed: Testbed
    let user = "alice@example.com"
    let messageID = "<\(Testbed.unique("unit-sandbox"))@test.invalid>"
    let uid: String

    init() async throws {
        testbed = try Testbed.current()
        let appended = try await Program.run([
            testbed.imapDriver, "append", "--user=\(user)", "--mailbox=INBOX", "--message-id=\(messageID)",
        ])
        try #require(appended.status == 0, "\(appended.error)")
        uid = appended.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `doveadm fetch` of the appended message inside the sandbox of `unit`; the mail store
    /// writable when `writableMail` (as ReadWritePaths= makes a site's store).
    func fetch(unit: String = InstallTests.unit, writableMail: Bool = true) async throws -> Program.Result {
        var arguments = ["--unit", unit, "--ro", testbed.directory]
        if writableMail { arguments += ["--rw", testbed.directory + "/mail"] }
        arguments += [
            "--", testbed.doveadm, "-c", testbed.dovecotConfig, "fetch", "-u", user, "--", "text", "mailbox", "INBOX",
            "uid", uid,
        ]
        return try await Program.run([Self.sandbox] + arguments)
    }

    @Test("doveadm fetch works as root with only the unit's capabilities, under the whole sandbox")
    func doveadmFetch() async throws {
        let fetched = try await fetch()
        #expect(fetched.status == 0, "\(fetched.error)")
        #expect(fetched.output.contains("Message-ID: \(messageID)"), "\(fetched.output.prefix(300))")
        #expect(fetched.error.contains("seccomp:"), "the system call filter was not applied: \(fetched.error)")
    }

    /// A copy of the unit with its capability bounding set replaced, in `directory`.
    func unit(capabilities: String, in directory: URL) throws -> String {
        let text = String(decoding: try InstallTests.contents(InstallTests.unit), as: UTF8.self)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("CapabilityBoundingSet=") })
        let copy = directory.appendingPathComponent("junkwatch.service")
        try Data(text.replacingOccurrences(of: line, with: "CapabilityBoundingSet=\(capabilities)").utf8).write(to: copy)
        return copy.path
    }

    @Test("without CAP_SETUID and CAP_SETGID doveadm cannot become the mail owner")
    func withoutCapabilities() async throws {
        let directory = try makeTemporaryDirectory("unit")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fetched = try await fetch(unit: try unit(capabilities: "CAP_KILL", in: directory))
        #expect(fetched.status == 75, "\(fetched.error)")
        #expect(fetched.error.contains("Operation not permitted"), "\(fetched.error)")
    }

    /// Starts doveadm fetch of a message larger than a pipe holds, leaves its output unread so
    /// that it blocks as the mail owner, and sends it SIGKILL (doveadm blocked in write() sits
    /// out a SIGTERM): prints `stopped -9`, or `EPERM` and then closes the pipe, which ends it.
    static let stopper = """
        import os, signal, subprocess, sys, time
        child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
        try:
            os.kill(child.pid, signal.SIGKILL)
            print("stopped", child.wait(timeout=30))
        except PermissionError:
            print("EPERM")
            child.stdout.close()
            child.wait(timeout=30)
        """

    @Test("junkwatch can stop a doveadm that runs as the mail owner only with CAP_KILL", arguments: [true, false])
    func stopDoveadm(withKill: Bool) async throws {
        let directory = try makeTemporaryDirectory("unit")
        defer { try? FileManager.default.removeItem(at: directory) }
        let big = try await Program.run([
            testbed.imapDriver, "append", "--user=\(user)", "--mailbox=INBOX", "--message-id=\(messageID).big",
            "--size=1000000",
        ])
        try #require(big.status == 0, "\(big.error)")
        let bigUID = big.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let capabilities = withKill ? "CAP_SETUID CAP_SETGID CAP_KILL" : "CAP_SETUID CAP_SETGID"
        let unitPath = withKill ? InstallTests.unit : try unit(capabilities: capabilities, in: directory)
        let run = try await Program.run(
            [
                Self.sandbox, "--unit", unitPath, "--ro", testbed.directory, "--rw", testbed.directory + "/mail", "--",
                "/usr/bin/python3", "-c", Self.stopper,
                testbed.doveadm, "-c", testbed.dovecotConfig, "fetch", "-u", user, "--", "text", "mailbox", "INBOX",
                "uid", bigUID,
            ]
        )
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.hasPrefix(withKill ? "stopped -9" : "EPERM"), "\(run.output) \(run.error)")
    }

    @Test("doveadm needs its mail store writable: ProtectSystem=strict without ReadWritePaths= fails")
    func readOnlyMailStore() async throws {
        let fetched = try await fetch(writableMail: false)
        #expect(fetched.error.contains("Read-only file system"), "\(fetched.error)")
    }

    @Test("junkwatch itself runs under the sandbox (MemoryDenyWriteExecute, the system call filter)")
    func junkwatchRuns() async throws {
        let run = try await Program.run(
            [Self.sandbox, "--", CommandLineTests.program, "test-filter", "--input-format", "export", "-"],
            inputFile: CommandLineTests.capture
        )
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("Verdicts: 4 ham, 6 spam, 25 nothing"), "\(run.output.suffix(300))")
    }
}
