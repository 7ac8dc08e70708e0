import Foundation
import JunkwatchCore
import TestSupport
import Testing

/// DoveadmFetcher against the testbed's real dovecot: messages are put there over IMAP, as a
/// user would, and fetched back with doveadm.
@Suite("DoveadmFetcher (testbed dovecot)", .needsTestbed)
struct DoveadmFetcherIntegrationTests {
    let testbed: TestbedEnvironment
    let imap: TestbedIMAP
    let fetcher: DoveadmFetcher

    init() throws {
        testbed = try TestbedEnvironment.current()
        imap = TestbedIMAP(testbed: testbed)
        fetcher = DoveadmFetcher(configuration: .init(doveadmPath: testbed.doveadm, configFile: testbed.dovecotConfig))
    }

    /// What dovecot's maildir stores (and doveadm prints) for an appended message: LF line ends.
    func stored(_ appended: Data) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(appended.count)
        var previous: UInt8 = 0
        for byte in appended {
            if previous == UInt8(ascii: "\r"), byte == UInt8(ascii: "\n") {
                out[out.count - 1] = byte
            } else {
                out.append(byte)
            }
            previous = byte
        }
        return out
    }

    @Test("a message appended to Junk comes back byte for byte (CRLF stored as LF)")
    func fetchAppended() async throws {
        let id = "<\(TestbedEnvironment.unique("fetch"))@test.invalid>"
        let message = try await imap.message(messageID: id)
        let uid = try await imap.append(message, user: "alice@example.com", mailbox: "Junk")
        let locator = MessageLocator(user: "alice@example.com", mailbox: "Junk", uid: uid, messageID: id)
        let result = try await fetcher.fetch(locator, preferring: .spam)
        #expect(result == .message(stored(message), mailbox: "Junk", uid: uid))
        #expect(message.contains(UInt8(ascii: "\r")), "the generated message has CRLF line ends")
    }

    @Test("a message with text: lines and no final newline keeps them")
    func awkwardBody() async throws {
        let id = "<\(TestbedEnvironment.unique("textline"))@test.invalid>"
        let message = Data(
            "Message-ID: \(id)\r\nSubject: x\r\n\r\ntext:\r\ntext: hello\r\n\u{0C}\r\nno final newline".utf8
        )
        let uid = try await imap.append(message, user: "bob@example.com", mailbox: "INBOX")
        let result = try await fetcher.fetch(
            MessageLocator(user: "bob@example.com", mailbox: "INBOX", uid: uid, messageID: id)
        )
        #expect(result == .message(stored(message), mailbox: "INBOX", uid: uid))
    }

    @Test("a message moved on is found by its Message-ID in its new mailbox")
    func movedOn() async throws {
        let user = "carol.o'neil+tag@example.org"
        let id = "<\(TestbedEnvironment.unique("moved"))@test.invalid>"
        let message = try await imap.message(messageID: id, user: user)
        let uid = try await imap.append(message, user: user, mailbox: "Junk")
        let newUID = try await imap.transfer("move", user: user, from: "Junk", to: "Spam, Reports", uid: uid)
        let result = try await fetcher.fetch(
            MessageLocator(user: user, mailbox: "Junk", uid: uid, messageID: id),
            preferring: .ham
        )
        #expect(result == .message(stored(message), mailbox: "Spam, Reports", uid: newUID))
    }

    @Test("a Message-ID cut to 80 characters still finds the message")
    func cutMessageID() async throws {
        let user = "dave smith@example.net"
        let id = "<\(TestbedEnvironment.unique("long"))." + String(repeating: "x", count: 90) + "@test.invalid>"
        let logged = String(id.prefix(77)) + "..."
        let message = try await imap.message(messageID: id, user: user)
        let uid = try await imap.append(message, user: user, mailbox: "INBOX")
        let newUID = try await imap.transfer("move", user: user, from: "INBOX", to: "Müll", uid: uid)
        let result = try await fetcher.fetch(MessageLocator(user: user, mailbox: "INBOX", uid: uid, messageID: logged))
        #expect(result == .message(stored(message), mailbox: "Müll", uid: newUID))
    }

    @Test("of several copies, the one in a mailbox that fits the verdict is taken")
    func prefersFittingCopy() async throws {
        let user = "bob@example.com"
        let id = "<\(TestbedEnvironment.unique("copies"))@test.invalid>"
        let message = try await imap.message(messageID: id, user: user)
        let uid = try await imap.append(message, user: user, mailbox: "Trash")
        let junkUID = try await imap.transfer("copy", user: user, from: "Trash", to: "Junk", uid: uid)
        let inboxUID = try await imap.transfer("copy", user: user, from: "Trash", to: "INBOX", uid: uid)
        // Logged in a mailbox where it no longer is (uid beyond any real one).
        let gone = MessageLocator(user: user, mailbox: "Spam, Reports", uid: 999_999, messageID: id)
        #expect(
            try await fetcher.fetch(gone, preferring: .spam) == .message(stored(message), mailbox: "Junk", uid: junkUID)
        )
        #expect(
            try await fetcher.fetch(gone, preferring: .ham)
                == .message(stored(message), mailbox: "INBOX", uid: inboxUID)
        )
    }

    @Test("a mailbox name with * or % selects that mailbox only, not what the wildcard matches")
    func wildcardName() async throws {
        let user = "alice@example.com"
        let tag = TestbedEnvironment.unique("w")
        let (starred, plain) = ("Star*\(tag)", "StarX\(tag)")
        for name in [starred, plain] {
            try await Program.check([
                testbed.doveadm, "-c", testbed.dovecotConfig, "mailbox", "create", "-u", user, name,
            ])
        }
        let id = "<\(tag)-starred@test.invalid>"
        let message = try await imap.message(messageID: id)
        // The same UID in both mailboxes: the other one's message must not leak in.
        let otherUID = try await imap.append(
            try await imap.message(messageID: "<\(tag)-plain@test.invalid>"),
            user: user,
            mailbox: plain
        )
        let uid = try await imap.append(message, user: user, mailbox: starred)
        #expect(uid == otherUID)
        let result = try await fetcher.fetch(MessageLocator(user: user, mailbox: starred, uid: uid, messageID: id))
        #expect(result == .message(stored(message), mailbox: starred, uid: uid))
    }

    @Test("a mailbox name starting with - is a name, not an option")
    func dashName() async throws {
        let user = "bob@example.com"
        let name = "-" + TestbedEnvironment.unique("dash")
        try await Program.check([
            testbed.doveadm, "-c", testbed.dovecotConfig, "mailbox", "create", "-u", user, "--", name,
        ])
        let id = "<\(TestbedEnvironment.unique("dash"))@test.invalid>"
        let message = try await imap.message(messageID: id, user: user)
        let uid = try await imap.append(message, user: user, mailbox: name)
        let result = try await fetcher.fetch(MessageLocator(user: user, mailbox: name, uid: uid, messageID: id))
        #expect(result == .message(stored(message), mailbox: name, uid: uid))
    }

    @Test("an expunged message is gone, with a reason that names the Message-ID")
    func expunged() async throws {
        let user = "alice@example.com"
        let id = "<\(TestbedEnvironment.unique("expunged"))@test.invalid>"
        let uid = try await imap.append(try await imap.message(messageID: id), user: user, mailbox: "INBOX")
        try await testbed.expunge(user: user, mailbox: "INBOX", uid: uid)
        let result = try await fetcher.fetch(MessageLocator(user: user, mailbox: "INBOX", uid: uid, messageID: id))
        guard case .gone(let reason) = result else {
            Issue.record("expected gone, got \(result)")
            return
        }
        #expect(reason.contains(id))
    }

    @Test("a message without Message-ID that is no longer there is gone")
    func goneWithoutMessageID() async throws {
        let result = try await fetcher.fetch(
            MessageLocator(user: "alice@example.com", mailbox: "INBOX", uid: 999_999, messageID: "")
        )
        guard case .gone = result else {
            Issue.record("expected gone, got \(result)")
            return
        }
    }

    @Test("an unknown user is a permanent error")
    func unknownUser() async throws {
        let locator = MessageLocator(
            user: "nobody-\(UUID().uuidString)@example.com",
            mailbox: "INBOX",
            uid: 1,
            messageID: "<m@x>"
        )
        let error = try await #require(throws: StageError.self) { try await fetcher.fetch(locator) }
        #expect(error.kind == .permanent)
        #expect(error.message.contains("67"))
    }

    @Test("a user named x$(reboot)@example.com is only a string")
    func shellMetacharacters() async throws {
        let user = "x$(reboot)@example.com"
        let id = "<\(TestbedEnvironment.unique("reboot"))@test.invalid>"
        let message = try await imap.message(messageID: id, user: user)
        let uid = try await imap.append(message, user: user, mailbox: "Junk")
        let result = try await fetcher.fetch(MessageLocator(user: user, mailbox: "Junk", uid: uid, messageID: id))
        #expect(result == .message(stored(message), mailbox: "Junk", uid: uid))
    }

    @Test("a 30 MB message is too large for a 20 MB limit, and is not read")
    func tooLarge() async throws {
        let user = "bob@example.com"
        let id = "<\(TestbedEnvironment.unique("large"))@test.invalid>"
        // Built here: the driver's generator is far too slow for 30 MB.
        var message = Data(
            "From: sender@example.org\r\nTo: \(user)\r\nMessage-ID: \(id)\r\nSubject: large\r\n\r\n".utf8
        )
        let line = Data("A line of filler text in a very large message, seventy-odd bytes.\r\n".utf8)
        while message.count < 30_000_000 { message.append(line) }
        let uid = try await imap.append(message, user: user, mailbox: "Junk")
        let limited = DoveadmFetcher(
            configuration: .init(doveadmPath: testbed.doveadm, configFile: testbed.dovecotConfig, sizeLimit: 20_000_000)
        )
        // No logged size: the limit must hold on doveadm's own report. That the body is not read
        // is shown by the collector's unit test; a timing bound here would only be flaky.
        let result = try await limited.fetch(MessageLocator(user: user, mailbox: "Junk", uid: uid, messageID: id))
        #expect(result == .tooLarge(size: stored(message).count, limit: 20_000_000))
    }

    @Test("messages fetched together come back as fetched one at a time, with one doveadm run per mailbox")
    func prefetch() async throws {
        let user = "carol.o'neil+tag@example.org"
        let tag = TestbedEnvironment.unique("batch")
        // doveadm itself, behind a wrapper that counts its runs.
        let counting = try FakeProgram(#"echo run >> "$(dirname "$0")/runs"; exec "# + "\(testbed.doveadm) \"$@\"")
        defer { counting.remove() }
        let limit = 6000
        let batcher = DoveadmFetcher(
            configuration: .init(doveadmPath: counting.path, configFile: testbed.dovecotConfig, sizeLimit: limit)
        )
        let single = DoveadmFetcher(
            configuration: .init(doveadmPath: testbed.doveadm, configFile: testbed.dovecotConfig, sizeLimit: limit)
        )
        var locators: [MessageLocator] = []
        let bodies: [Data] = [
            try await imap.message(messageID: "<\(tag)-1@test.invalid>", user: user),
            // doveadm's own separator, field lines and no final newline, inside a message.
            Data("Message-ID: <\(tag)-2@test.invalid>\r\nSubject: x\r\n\r\ntext:\r\n\u{0C}\r\nuid: 1\r\nsize.physical: 2\r\nend".utf8),
            try await imap.message(messageID: "<\(tag)-3@test.invalid>", size: 9000, user: user),
            try await imap.message(messageID: "<\(tag)-4@test.invalid>", user: user),
        ]
        for (index, body) in bodies.enumerated() {
            let mailbox = index < 3 ? "Spam, Reports" : "Müll"
            let uid = try await imap.append(body, user: user, mailbox: mailbox)
            locators.append(MessageLocator(user: user, mailbox: mailbox, uid: uid, messageID: "<\(tag)-\(index + 1)@test.invalid>"))
        }
        locators.append(MessageLocator(user: user, mailbox: "Müll", uid: 999_999, messageID: "<\(tag)-gone@test.invalid>"))
        let found = await batcher.prefetch(locators)
        #expect(found[locators[0]] == .message(stored(bodies[0]), mailbox: "Spam, Reports", uid: locators[0].uid!))
        #expect(found[locators[1]] == .message(stored(bodies[1]), mailbox: "Spam, Reports", uid: locators[1].uid!))
        #expect(found[locators[2]] == .tooLarge(size: stored(bodies[2]).count, limit: limit))
        #expect(found[locators[3]] == .message(stored(bodies[3]), mailbox: "Müll", uid: locators[3].uid!))
        #expect(found[locators[4]] == nil, "a UID not there is left to fetch(_:) to search for")
        for locator in locators.prefix(4) {
            #expect(try await single.fetch(locator) == found[locator])
        }
        let runs = try String(contentsOfFile: counting.file("runs"), encoding: .utf8).split(separator: "\n").count
        #expect(runs == 2, "one doveadm run for each of the two mailboxes")
    }

    @Test("past the batch budget, the messages that did not fit are left out, and the rest are whole")
    func prefetchBudget() async throws {
        let user = "dave smith@example.net"
        let tag = TestbedEnvironment.unique("budget")
        let small = DoveadmFetcher(
            configuration: .init(doveadmPath: testbed.doveadm, configFile: testbed.dovecotConfig, batchBudget: 5000)
        )
        var locators: [MessageLocator] = []
        var bodies: [Data] = []
        for index in 1...4 {
            let id = "<\(tag)-\(index)@test.invalid>"
            let body = try await imap.message(messageID: id, size: 2000, user: user)
            let uid = try await imap.append(body, user: user, mailbox: "INBOX")
            bodies.append(body)
            locators.append(MessageLocator(user: user, mailbox: "INBOX", uid: uid, messageID: id))
        }
        let found = await small.prefetch(locators)
        #expect(!found.isEmpty && found.count < 4)
        for (index, locator) in locators.enumerated() {
            if let result = found[locator] {
                #expect(result == .message(stored(bodies[index]), mailbox: "INBOX", uid: locator.uid!))
            }
        }
    }

    @Test("doveadm that cannot reach dovecot (exit 75) is a transient error")
    func dovecotUnreachable() async throws {
        // The testbed's configuration with a base_dir where no dovecot runs.
        let config = try String(contentsOfFile: testbed.dovecotConfig, encoding: .utf8)
        let emptyRun = FileManager.default.temporaryDirectory.appendingPathComponent(
            "junkwatch-nodovecot-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: emptyRun, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: emptyRun) }
        let edited = config.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("base_dir = ") ? "base_dir = \(emptyRun.path)" : String(line)
        }.joined(separator: "\n")
        let configURL = emptyRun.appendingPathComponent("dovecot.conf")
        try Data(edited.utf8).write(to: configURL)
        let offline = DoveadmFetcher(configuration: .init(doveadmPath: testbed.doveadm, configFile: configURL.path))
        let error = try await #require(throws: StageError.self) {
            try await offline.fetch(MessageLocator(user: "alice@example.com", mailbox: "INBOX", uid: 1))
        }
        #expect(error.kind == .transient)
        #expect(error.message.contains("exit 75"))
    }
}
