import Foundation
import JunkwatchCore
import SystemdJournal
import TestSupport
import Testing

/// Every row of DESIGN.md's classification table, acted out over IMAP and LMTP against the
/// testbed's real dovecot, read back from the journal dovecot logged into, and classified.
@Suite("Classification of real dovecot events", .needsTestbed)
struct RealDovecotClassificationTests {
    static let alice = "alice@example.com"
    static let carol = "carol.o'neil+tag@example.org"
    static let dave = "dave smith@example.net"

    /// A decision as the test compares it: user, verdict (or "nothing"), mailbox.
    struct Seen: Equatable, CustomStringConvertible {
        var user: String
        var verdict: String
        var mailbox: String
        var description: String { "\(user) \(verdict) \(mailbox)" }
    }

    @Test("each user action gives its verdict, and nothing else does")
    func table() async throws {
        let testbed = try TestbedEnvironment.current()
        let imap = TestbedIMAP(testbed: testbed)
        let tag = TestbedEnvironment.unique("classify")
        func id(_ name: String) -> String { "<\(name).\(tag)@test.example>" }
        let start = TimeSpecification.currentMicroseconds() - 2_000_000

        // Out of Junk into INBOX: ham; the same COPY again is no new action.
        let a = try await imap.append(try await imap.message(messageID: id("a")), user: Self.alice, mailbox: "Junk")
        _ = try await imap.transfer("copy", user: Self.alice, from: "Junk", to: "INBOX", uid: a)
        _ = try await imap.transfer("copy", user: Self.alice, from: "Junk", to: "INBOX", uid: a)
        // APPEND into INBOX: nothing; MOVE into Junk: spam, once (its expunge is nothing).
        let b = try await imap.append(try await imap.message(messageID: id("b")), user: Self.alice, mailbox: "INBOX")
        let bInJunk = try await imap.transfer("move", user: Self.alice, from: "INBOX", to: "Junk", uid: b)
        // UID MOVE of two messages at once: two spam verdicts.
        let c = try await imap.append(try await imap.message(messageID: id("c")), user: Self.alice, mailbox: "INBOX")
        let d = try await imap.append(try await imap.message(messageID: id("d")), user: Self.alice, mailbox: "INBOX")
        let moved = try await testbed.move(user: Self.alice, from: "INBOX", to: "Junk", uids: [c, d])
        #expect(moved.count == 2)
        // Thunderbird: $Junk is spam, reading it again is nothing, then -$Junk +$NotJunk is ham.
        let e = try await imap.append(try await imap.message(messageID: id("e")), user: Self.alice, mailbox: "INBOX")
        try await imap.store(user: Self.alice, mailbox: "INBOX", uid: e, add: ["$Junk"])
        try await imap.read(user: Self.alice, mailbox: "INBOX", uid: e)
        try await imap.store(user: Self.alice, mailbox: "INBOX", uid: e, remove: ["$Junk"])
        try await imap.store(user: Self.alice, mailbox: "INBOX", uid: e, add: ["$NotJunk"])
        // Junk into Trash and Trash back into INBOX: nothing.
        let bInTrash = try await imap.transfer("move", user: Self.alice, from: "Junk", to: "Trash", uid: bInJunk)
        _ = try await imap.transfer("move", user: Self.alice, from: "Trash", to: "INBOX", uid: bInTrash)
        // A delivery that sieve files into Junk: nothing.
        try await imap.deliver(user: Self.alice, messageID: id("f"), spam: true)
        // Mailbox names with a comma and with non-ASCII, configured as junk; a user with ' and +.
        let g = try await imap.append(try await imap.message(messageID: id("g")), user: Self.carol, mailbox: "INBOX")
        let gInSpam = try await imap.transfer("move", user: Self.carol, from: "INBOX", to: "Spam, Reports", uid: g)
        let gInMuell = try await imap.transfer("move", user: Self.carol, from: "Spam, Reports", to: "Müll", uid: gInSpam)
        _ = try await imap.transfer("move", user: Self.carol, from: "Müll", to: "INBOX", uid: gInMuell)
        // A user with a space, and a message without a Message-ID: APPEND into junk, then out.
        let h = try await imap.append(try await imap.messageWithoutID(seed: tag), user: Self.dave, mailbox: "Müll")
        let hInInbox = try await imap.transfer("move", user: Self.dave, from: "Müll", to: "INBOX", uid: h)
        // The end marker: the last line the test waits for.
        let z = try await imap.append(try await imap.message(messageID: id("z")), user: Self.alice, mailbox: "INBOX")

        var settings = Classifier.Settings()
        settings.junkMailboxes += ["Spam, Reports", "Müll"]
        let ours: (MailEvent) -> Bool = { event in
            event.msgid.contains(tag)
                || (event.user == Self.dave && event.msgid.isEmpty
                    && [("Müll", h), ("INBOX", hInInbox)].contains { $0.0 == event.mailbox && $0.1 == event.uid })
        }
        let seen = try await Self.decisions(since: start, settings: settings, belongsToTest: ours) {
            $0.msgid == id("z") && $0.uid == z
        }

        let expected: [Seen] = [
            Seen(user: Self.alice, verdict: "spam", mailbox: "Junk"),  // APPEND a into Junk (Outlook's move)
            Seen(user: Self.alice, verdict: "ham", mailbox: "INBOX"),  // COPY a out of Junk
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),  // the same COPY again
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),  // APPEND b into INBOX
            Seen(user: Self.alice, verdict: "spam", mailbox: "Junk"),  // MOVE b into Junk: the copy...
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),  // ...and its expunge
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),  // APPEND c
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),  // APPEND d
            Seen(user: Self.alice, verdict: "spam", mailbox: "Junk"),  // MOVE c, d
            Seen(user: Self.alice, verdict: "spam", mailbox: "Junk"),
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),  // their expunges
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),  // APPEND e
            Seen(user: Self.alice, verdict: "spam", mailbox: "INBOX"),  // +$Junk
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),  // read: flags=(\Seen $Junk) again
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),  // -$Junk
            Seen(user: Self.alice, verdict: "ham", mailbox: "INBOX"),  // +$NotJunk: a reversal
            Seen(user: Self.alice, verdict: "nothing", mailbox: "Trash"),  // Junk -> Trash
            Seen(user: Self.alice, verdict: "nothing", mailbox: "Junk"),
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),  // Trash -> INBOX
            Seen(user: Self.alice, verdict: "nothing", mailbox: "Trash"),
            Seen(user: Self.alice, verdict: "nothing", mailbox: "Junk"),  // LMTP + sieve fileinto Junk
            Seen(user: Self.carol, verdict: "nothing", mailbox: "INBOX"),  // APPEND g
            Seen(user: Self.carol, verdict: "spam", mailbox: "Spam, Reports"),  // INBOX -> "Spam, Reports"
            Seen(user: Self.carol, verdict: "nothing", mailbox: "INBOX"),
            Seen(user: Self.carol, verdict: "nothing", mailbox: "Müll"),  // junk -> junk
            Seen(user: Self.carol, verdict: "nothing", mailbox: "Spam, Reports"),
            Seen(user: Self.carol, verdict: "ham", mailbox: "INBOX"),  // "Müll" -> INBOX
            Seen(user: Self.carol, verdict: "nothing", mailbox: "Müll"),
            Seen(user: Self.dave, verdict: "spam", mailbox: "Müll"),  // APPEND, no Message-ID
            Seen(user: Self.dave, verdict: "ham", mailbox: "INBOX"),  // out of junk
            Seen(user: Self.dave, verdict: "nothing", mailbox: "Müll"),
            Seen(user: Self.alice, verdict: "nothing", mailbox: "INBOX"),  // APPEND z, the end marker
        ]
        #expect(seen == expected)
    }

    /// Reads dovecot's entries from the local journal from `since` until `isLast` matched, and
    /// classifies the test's own events in order.
    static func decisions(
        since: UInt64,
        settings: Classifier.Settings,
        belongsToTest: (MailEvent) -> Bool,
        isLast: (MailEvent) -> Bool
    ) async throws -> [Seen] {
        let filters = try shippedFilters("dovecot-mail-log")
        let reader = try JournalReader(.local)
        try reader.apply(filters.journalMatch)
        try reader.seek(realtime: since)
        var classifier = Classifier(settings: settings)
        var seen: [Seen] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            while try reader.next() {
                guard let entryLine = try reader.value(of: "MESSAGE"),
                    let event = filters.parse(line: entryLine).event, belongsToTest(event)
                else { continue }
                let decision = classifier.classify(event)
                seen.append(Seen(user: event.user, verdict: decision.verdict?.kind.rawValue ?? "nothing", mailbox: event.mailbox))
                // The event source is dovecot's unit, as journald tagged it.
                #expect(try reader.text(of: "_SYSTEMD_UNIT") == "dovecot.service")
                if isLast(event) { return seen }
            }
            guard ContinuousClock.now < deadline else {
                Issue.record("the end marker never reached the journal; saw \(seen)")
                return seen
            }
            _ = try await reader.waitForChange(timeout: .milliseconds(500))
        }
    }
}
