import Foundation
import Testing

@testable import JunkwatchCore

/// DoveadmFetcher against a fake doveadm: exit statuses, timeouts, arguments, search parsing.
@Suite("DoveadmFetcher (fake doveadm)")
struct DoveadmFetcherTests {
    let locator = MessageLocator(user: "x$(reboot)@example.com", mailbox: "Spam, Reports", uid: 7, messageID: "<m@x>")

    func fetcher(_ fake: FakeProgram, timeout: Duration = .seconds(60), sizeLimit: Int = 1 << 20) -> DoveadmFetcher {
        DoveadmFetcher(configuration: .init(doveadmPath: fake.path, timeout: timeout, sizeLimit: sizeLimit))
    }

    func stageError(_ body: () async throws -> FetchResult) async -> StageError? {
        do {
            let result = try await body()
            Issue.record("expected an error, got \(result)")
            return nil
        } catch let error as StageError {
            return error
        } catch {
            Issue.record("expected a StageError, got \(error)")
            return nil
        }
    }

    @Test("every argument reaches doveadm verbatim, as one element each")
    func argumentVector() async throws {
        let fake = try FakeProgram(
            #"for a in "$@"; do printf '%s\n' "$a"; done > "$(dirname "$0")/args"; "#
                + #"printf 'uid: 7\nsize.physical: 2\ntext:\nhi'"#
        )
        defer { fake.remove() }
        let result = try await fetcher(fake).fetch(locator)
        #expect(result == .message(Array("hi".utf8), mailbox: "Spam, Reports", uid: 7))
        let arguments = try String(contentsOfFile: fake.file("args"), encoding: .utf8).split(separator: "\n").map(
            String.init
        )
        #expect(
            arguments == [
                "fetch", "-u", "x$(reboot)@example.com", "--", "uid size.physical text",
                "mailbox", "Spam, Reports", "uid", "7",
            ]
        )
    }

    @Test("exit 67 is an unknown user: permanent")
    func unknownUser() async throws {
        let fake = try FakeProgram("echo \"doveadm(nobody): Error: User doesn't exist\" >&2; exit 67")
        defer { fake.remove() }
        let error = await stageError { try await fetcher(fake).fetch(locator) }
        #expect(error?.kind == .permanent)
        #expect(error?.message.contains("User doesn't exist") == true)
    }

    @Test("exit 75 is dovecot not running: transient, with doveadm's stderr")
    func tempfail() async throws {
        let fake = try FakeProgram("echo 'Error: auth-master: connect(/run/dovecot/auth-userdb) failed' >&2; exit 75")
        defer { fake.remove() }
        let error = await stageError { try await fetcher(fake).fetch(locator) }
        #expect(error?.kind == .transient)
        #expect(error?.message.contains("auth-userdb") == true)
    }

    @Test("exit 77 (no permission) needs an administrator")
    func noPermission() async throws {
        let fake = try FakeProgram("exit 77")
        defer { fake.remove() }
        #expect(await stageError { try await fetcher(fake).fetch(locator) }?.kind == .configuration)
    }

    @Test("stderr is kept bounded in the error")
    func boundedStderr() async throws {
        let fake = try FakeProgram(
            "i=0; while [ $i -lt 2000 ]; do echo 'Error: a long complaint line of doveadm' >&2; "
                + "i=$((i+1)); done; exit 1"
        )
        defer { fake.remove() }
        let error = await stageError { try await fetcher(fake).fetch(locator) }
        #expect(error?.kind == .transient)
        #expect((error?.message.count ?? 0) < 1000)
    }

    @Test("a hung doveadm is stopped at the timeout: transient")
    func timeout() async throws {
        let fake = try FakeProgram("exec sleep 600")
        defer { fake.remove() }
        let start = ContinuousClock.now
        let error = await stageError { try await fetcher(fake, timeout: .milliseconds(300)).fetch(locator) }
        #expect(error?.kind == .transient)
        #expect(error?.message.hasPrefix("doveadm did not finish within 0.3 seconds") == true)
        // Not a timing test: a loaded machine may take seconds, but far from the child's 600.
        #expect(ContinuousClock.now - start < .seconds(120))
    }

    @Test("a missing doveadm is a configuration error")
    func missingProgram() async {
        let fetcher = DoveadmFetcher(configuration: .init(doveadmPath: "/nonexistent/doveadm"))
        let error = await stageError { try await fetcher.fetch(locator) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("/nonexistent/doveadm") == true)
        #expect(error?.message.hasPrefix("doveadm not found at /nonexistent/doveadm: ") == true)
    }

    @Test("a missing dovecot configuration file is a configuration error naming it")
    func missingConfig() async {
        let fetcher = DoveadmFetcher(
            configuration: .init(doveadmPath: "/bin/true", configFile: "/nonexistent/dovecot.conf")
        )
        let error = await stageError { try await fetcher.fetch(locator) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("/nonexistent/dovecot.conf") == true)
    }

    @Test("a logged size over the limit needs no doveadm at all")
    func loggedSize() async throws {
        let fetcher = DoveadmFetcher(configuration: .init(doveadmPath: "/nonexistent/doveadm", sizeLimit: 1000))
        var big = locator
        big.size = 5000
        #expect(try await fetcher.fetch(big) == .tooLarge(size: 5000, limit: 1000))
    }

    @Test("a reported size over the limit ends doveadm before the message is read")
    func tooLarge() async throws {
        // Prints the size, then streams far more than the limit until killed.
        let fake = try FakeProgram(
            "printf 'uid: 7\\nsize.physical: 900000000\\ntext:\\n'; exec yes 'a line of a very large message'"
        )
        defer { fake.remove() }
        let result = try await fetcher(fake, sizeLimit: 1 << 20).fetch(locator)
        #expect(result == .tooLarge(size: 900_000_000, limit: 1 << 20))
    }

    @Test("several messages of a mailbox are asked for in one run, every argument one element")
    func prefetchArguments() async throws {
        let fake = try FakeProgram(
            #"for a in "$@"; do printf '%s\n' "$a"; done > "$(dirname "$0")/args"; "#
                + #"printf 'uid: 3\nsize.physical: 2\ntext:\nhi\f\nuid: 9\nsize.physical: 0\ntext:\n'"#
        )
        defer { fake.remove() }
        let locators = [3, 4, 5, 9].map { (uid: UInt32) in
            MessageLocator(user: locator.user, mailbox: locator.mailbox, uid: uid, messageID: "<m\(uid)@x>")
        }
        let found = await fetcher(fake).prefetch(locators)
        #expect(found == [
            locators[0]: .message(Array("hi".utf8), mailbox: "Spam, Reports", uid: 3),
            locators[3]: .message([], mailbox: "Spam, Reports", uid: 9),
        ])
        let arguments = try String(contentsOfFile: fake.file("args"), encoding: .utf8).split(separator: "\n").map(
            String.init
        )
        #expect(
            arguments == [
                "fetch", "-u", "x$(reboot)@example.com", "--", "uid size.physical text",
                "mailbox", "Spam, Reports", "uid", "3:5,9",
            ]
        )
    }

    @Test("a run that fails or prints something unexpected leaves every message to be fetched alone")
    func prefetchFailure() async throws {
        let locators = [1, 2].map { MessageLocator(user: "alice", mailbox: "Junk", uid: UInt32($0)) }
        for script in [
            "echo 'Error: auth-master: connect failed' >&2; exit 75",
            #"printf 'uid: 1\nsize.physical: 2\ntext:\nhi'; exit 75"#,
            #"printf 'uid: 1\nsize.physical: 1\ntext:\nhi'"#,
            #"printf 'something else entirely\n'"#,
        ] {
            let fake = try FakeProgram(script)
            defer { fake.remove() }
            #expect(await fetcher(fake).prefetch(locators).isEmpty, "\(script)")
        }
    }

    @Test("no run for a single message, one without a UID, a wildcard mailbox or a logged size over the limit")
    func prefetchLeavesOut() async throws {
        let fake = try FakeProgram(#"echo run >> "$(dirname "$0")/runs"; exit 1"#)
        defer { fake.remove() }
        let locators = [
            MessageLocator(user: "alice", mailbox: "INBOX", uid: 1),
            MessageLocator(user: "alice", mailbox: "Junk", uid: nil, messageID: "<a@x>"),
            MessageLocator(user: "alice", mailbox: "Junk", uid: 2, size: 5_000_000),
            MessageLocator(user: "alice", mailbox: "Star*", uid: 3),
            MessageLocator(user: "alice", mailbox: "Star*", uid: 4),
            MessageLocator(user: "bob", mailbox: "INBOX", uid: 1),
        ]
        #expect(await fetcher(fake, sizeLimit: 1_000_000).prefetch(locators).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fake.file("runs")))
    }

    @Test("UID sets use ranges; runs split where the logged sizes pass the budget")
    func uidSetsAndRuns() {
        #expect(DoveadmFetcher.uidSet([9, 3, 4, 5, 11, 12, 1]) == "1,3:5,9,11:12")
        #expect(DoveadmFetcher.uidSet([7]) == "7")
        let sized = [400, 500, 200, nil, 900, 100].enumerated().map {
            MessageLocator(user: "u", mailbox: "INBOX", uid: UInt32($0.offset + 1), size: $0.element)
        }
        #expect(DoveadmFetcher.runs(sized, budget: 1000).map { $0.map(\.uid!) } == [[1, 2], [3, 4], [5, 6]])
    }

    @Test("search output: the title line is skipped, mailbox names keep their spaces, commas and tabs")
    func parseSearch() {
        let text: String =
            "mailbox-guid\tuid\tmailbox\n"
            + "d6f2f631b7fc006b8a3c000083ecc375\t1\tMüll\n"
            + "e3715b13b7fc006b533c000083ecc375\t12\tSpam, Reports\n"
            + "7d5e541cb1fc006b8239000083ecc375\t3\tA\tB\n"
            + "7d5e541cb1fc"
        let output = Array(text.utf8)
        let candidates = DoveadmFetcher.parseSearch(output)
        #expect(candidates.map(\.mailbox) == ["Müll", "Spam, Reports", "A\tB"])
        #expect(candidates.map(\.uid) == [1, 12, 3])
    }

    @Test("copies in a mailbox that fits the verdict come first")
    func preference() {
        let fetcher = DoveadmFetcher()
        let candidates = ["Trash", "INBOX", "Junk", "Archive"].enumerated().map {
            DoveadmFetcher.Candidate(
                mailboxGUID: String(repeating: "0", count: 32),
                uid: UInt32($0.offset + 1),
                mailbox: $0.element
            )
        }
        #expect(fetcher.ordered(candidates, preferring: .spam).map(\.mailbox) == ["Junk", "Trash", "INBOX", "Archive"])
        #expect(fetcher.ordered(candidates, preferring: .ham).map(\.mailbox) == ["INBOX", "Archive", "Trash", "Junk"])
        #expect(fetcher.ordered(candidates, preferring: nil).map(\.mailbox) == ["Trash", "INBOX", "Junk", "Archive"])
    }
}
