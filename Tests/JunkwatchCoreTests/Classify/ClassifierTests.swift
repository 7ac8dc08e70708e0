import JunkwatchCore
import Testing

/// One row of the classification table.
struct Row: Sendable, CustomTestStringConvertible {
    var label: String
    var event: MailEvent
    var verdict: Verdict.Kind?
    var reason: String

    var testDescription: String { label }
}

let table: [Row] = [
    Row(
        label: "out of Junk into INBOX",
        event: .make(.copy, source: "Junk", mailbox: "INBOX"),
        verdict: .ham,
        reason: "copied out of Junk into INBOX"
    ),
    Row(
        label: "out of Spam into a folder",
        event: .make(.copy, source: "Spam", mailbox: "Lists/Swift"),
        verdict: .ham,
        reason: "copied out of Spam into Lists/Swift"
    ),
    Row(
        label: "from INBOX into Junk",
        event: .make(.copy, source: "INBOX", mailbox: "Junk"),
        verdict: .spam,
        reason: "copied from INBOX into Junk"
    ),
    Row(
        label: "from a folder into INBOX.Junk",
        event: .make(.copy, source: "INBOX.Lists", mailbox: "INBOX.Junk"),
        verdict: .spam,
        reason: "copied from INBOX.Lists into INBOX.Junk"
    ),
    Row(
        label: "APPEND into Junk",
        event: .make(.save, mailbox: "Junk E-mail"),
        verdict: .spam,
        reason: "saved into Junk E-mail by imap"
    ),
    Row(
        label: "flag $Junk",
        event: .make(.flag, mailbox: "INBOX", flags: ["\\Seen", "$Junk"]),
        verdict: .spam,
        reason: "flagged $Junk in INBOX"
    ),
    Row(
        label: "flag $NotJunk",
        event: .make(.flag, mailbox: "Junk", flags: ["$NotJunk"]),
        verdict: .ham,
        reason: "flagged $NotJunk in Junk"
    ),
    Row(
        label: "Junk into Trash",
        event: .make(.copy, source: "Junk", mailbox: "Trash"),
        verdict: nil,
        reason: "into trash Trash"
    ),
    Row(
        label: "INBOX into Deleted Items",
        event: .make(.copy, source: "INBOX", mailbox: "Deleted Items"),
        verdict: nil,
        reason: "into trash"
    ),
    Row(
        label: "out of Trash into INBOX",
        event: .make(.copy, source: "Trash", mailbox: "INBOX"),
        verdict: nil,
        reason: "out of trash Trash"
    ),
    Row(
        label: "out of Trash into Junk",
        event: .make(.copy, source: "Bin", mailbox: "Junk"),
        verdict: nil,
        reason: "out of trash Bin"
    ),
    Row(
        label: "between junk mailboxes",
        event: .make(.copy, source: "Junk", mailbox: "Spam"),
        verdict: nil,
        reason: "between junk mailboxes"
    ),
    Row(
        label: "between ordinary folders",
        event: .make(.copy, source: "INBOX", mailbox: "Archive"),
        verdict: nil,
        reason: "neither is a junk mailbox"
    ),
    Row(
        label: "APPEND into INBOX",
        event: .make(.save, mailbox: "INBOX"),
        verdict: nil,
        reason: "not a junk mailbox"
    ),
    Row(
        label: "APPEND into Trash",
        event: .make(.save, mailbox: "Trash"),
        verdict: nil,
        reason: "not a junk mailbox"
    ),
    Row(
        label: "expunge",
        event: .make(.expunge, mailbox: "Junk"),
        verdict: nil,
        reason: "expunged from Junk"
    ),
    Row(
        label: "a flag change without spam or ham flags",
        event: .make(.flag, mailbox: "INBOX", flags: ["\\Seen"]),
        verdict: nil,
        reason: "without a spam or ham flag"
    ),
    Row(
        label: "a flag change without flags logged",
        event: .make(.flag, mailbox: "INBOX", flags: nil),
        verdict: nil,
        reason: "logged no flags"
    ),
    Row(
        label: "lmtp delivery into Junk (sieve fileinto)",
        event: .make(.save, service: "lmtp", mailbox: "Junk"),
        verdict: nil,
        reason: "a delivery"
    ),
    Row(
        label: "lda delivery into Junk",
        event: .make(.save, service: "lda", mailbox: "Junk"),
        verdict: nil,
        reason: "a delivery"
    ),
    Row(
        label: "lmtp copy out of Junk",
        event: .make(.copy, service: "lmtp", source: "Junk", mailbox: "INBOX"),
        verdict: nil,
        reason: "a delivery"
    ),
    Row(
        label: "doveadm moving out of Junk",
        event: .make(.copy, service: "doveadm", source: "Junk", mailbox: "INBOX"),
        verdict: nil,
        reason: "doveadm is not a user service"
    ),
    Row(
        label: "pop3",
        event: .make(.expunge, service: "pop3", mailbox: "INBOX"),
        verdict: nil,
        reason: "pop3 is not a user service"
    ),
    Row(
        label: "no way to find the message",
        event: .make(.copy, source: "INBOX", mailbox: "Junk", uid: nil, msgid: ""),
        verdict: nil,
        reason: "cannot be found again"
    ),
    Row(
        label: "names ignore case",
        event: .make(.copy, source: "inbox", mailbox: "junk"),
        verdict: .spam,
        reason: "copied from inbox into junk"
    ),
    Row(
        label: "flags ignore case",
        event: .make(.flag, mailbox: "INBOX", flags: ["$junk"]),
        verdict: .spam,
        reason: "flagged $junk"
    ),
    Row(
        label: "Thunderbird's older keyword",
        event: .make(.flag, mailbox: "INBOX", flags: ["NonJunk"]),
        verdict: .ham,
        reason: "flagged NonJunk"
    ),
]

@Suite("Classification")
struct ClassifierTests {
    @Test("the classification table", arguments: table)
    func row(_ row: Row) {
        var classifier = Classifier()
        let decision = classifier.classify(row.event)
        #expect(decision.verdict?.kind == row.verdict, "\(decision.reason)")
        #expect(decision.reason.contains(row.reason), "\(decision.reason)")
    }

    @Test("a verdict names the user, the message where it is now, and the event")
    func verdictContents() throws {
        var classifier = Classifier()
        let event = MailEvent.make(.copy, source: "Junk", mailbox: "INBOX", uid: 7, msgid: "<m7@x>", size: 1234)
        let found = classifier.verdict(for: event)
        let verdict = try #require(found)
        #expect(verdict.kind == .ham)
        #expect(verdict.user == "alice@example.com")
        #expect(verdict.message == MessageReference(mailbox: "INBOX", uid: 7, msgid: "<m7@x>", size: 1234))
        #expect(verdict.event == event)
    }

    @Test("a MOVE (copy, then expunge) is one action")
    func move() {
        var classifier = Classifier()
        let copy = classifier.classify(.make(.copy, source: "INBOX", mailbox: "Junk", uid: 12))
        let expunge = classifier.classify(.make(.expunge, mailbox: "INBOX", uid: 3))
        #expect(copy.verdict?.kind == .spam)
        #expect(expunge.verdict == nil)
    }

    @Test("$Junk logged again when the message is read is not a new action")
    func readAfterFlag() {
        var classifier = Classifier()
        let flagged = classifier.classify(.make(.flag, mailbox: "INBOX", flags: ["$Junk"]))
        let read = classifier.classify(.make(.flag, mailbox: "INBOX", flags: ["\\Seen", "$Junk"]))
        #expect(flagged.verdict?.kind == .spam)
        #expect(read.verdict == nil)
        #expect(read.reason.contains("already set"))
    }

    @Test("a message moved out of Junk still carrying $Junk is not spam when read later")
    func copiedFlagsCount() {
        var classifier = Classifier()
        let moved = classifier.classify(.make(.copy, source: "Junk", mailbox: "INBOX", flags: ["$Junk"]))
        let read = classifier.classify(.make(.flag, mailbox: "INBOX", flags: ["\\Seen", "$Junk"]))
        #expect(moved.verdict?.kind == .ham)
        #expect(read.verdict == nil)
    }

    @Test("the same verdict again for the same message is not a new action; a reversal is")
    func repeatAndReversal() {
        var classifier = Classifier()
        // Thunderbird's "mark as junk": flag $Junk, then move into Junk.
        #expect(classifier.classify(.make(.flag, mailbox: "INBOX", flags: ["$Junk"])).verdict?.kind == .spam)
        let moved = classifier.classify(.make(.copy, source: "INBOX", mailbox: "Junk", uid: 9))
        #expect(moved.verdict == nil)
        #expect(moved.reason.contains("already classified spam"))
        // The user changes their mind, and back again.
        #expect(classifier.classify(.make(.copy, source: "Junk", mailbox: "INBOX", uid: 10)).verdict?.kind == .ham)
        #expect(classifier.classify(.make(.copy, source: "INBOX", mailbox: "Junk", uid: 11)).verdict?.kind == .spam)
        // Another user's copy of the same message is their own judgement.
        #expect(classifier.classify(.make(.copy, user: "bob", source: "INBOX", mailbox: "Junk")).verdict?.kind == .spam)
    }

    @Test("without a Message-ID a message is known by mailbox and UID")
    func noMessageID() {
        var classifier = Classifier()
        let first = MailEvent.make(.copy, source: "INBOX", mailbox: "Junk", uid: 5, msgid: "")
        let second = MailEvent.make(.copy, source: "INBOX", mailbox: "Junk", uid: 6, msgid: "")
        #expect(classifier.classify(first).verdict?.kind == .spam)
        #expect(classifier.classify(first).verdict == nil)
        #expect(classifier.classify(second).verdict?.kind == .spam)
    }

    @Test("spam and ham flags together: ambiguous when both are new; otherwise the new one decides")
    func bothFlags() {
        var classifier = Classifier()
        let both = classifier.classify(.make(.flag, mailbox: "INBOX", msgid: "<a@x>", flags: ["$Junk", "$NotJunk"]))
        #expect(both.verdict == nil)
        #expect(both.reason.contains("ambiguous"))

        #expect(
            classifier.classify(.make(.flag, mailbox: "INBOX", msgid: "<b@x>", flags: ["$Junk"])).verdict?.kind == .spam
        )
        let added = classifier.classify(.make(.flag, mailbox: "INBOX", msgid: "<b@x>", flags: ["$Junk", "$NotJunk"]))
        #expect(added.verdict?.kind == .ham)
    }

    @Test("APPEND and flag learning can be switched off; the lists are configurable")
    func settings() {
        var settings = Classifier.Settings()
        settings.learnAppendToJunk = false
        settings.learnFlags = false
        settings.junkMailboxes = ["Werbung"]
        settings.trashMailboxes = []
        settings.userServices = ["imap", "doveadm"]
        var classifier = Classifier(settings: settings)
        #expect(classifier.classify(.make(.save, mailbox: "Werbung")).verdict == nil)
        #expect(classifier.classify(.make(.flag, mailbox: "INBOX", flags: ["$Junk"])).verdict == nil)
        #expect(classifier.classify(.make(.copy, source: "INBOX", mailbox: "Junk")).verdict == nil)
        #expect(classifier.classify(.make(.copy, source: "Trash", mailbox: "Werbung")).verdict?.kind == .spam)
        let admin = MailEvent.make(.copy, service: "doveadm", source: "Werbung", mailbox: "INBOX", msgid: "<d@x>")
        #expect(classifier.classify(admin).verdict?.kind == .ham)
    }

    @Test("memory stays within its bound on a long run")
    func boundedMemory() {
        var classifier = Classifier(settings: Classifier.Settings(recentMessages: 100))
        for number in 0..<10_000 {
            _ = classifier.classify(.make(.copy, source: "INBOX", mailbox: "Junk", msgid: "<\(number)@x>"))
            #expect(classifier.rememberedMessages <= 100)
        }
        // Messages seen again and again, between new ones, do not stretch the bound either.
        for number in 0..<10_000 {
            _ = classifier.classify(.make(.copy, source: "INBOX", mailbox: "Junk", msgid: "<\(number)@y>"))
            _ = classifier.classify(.make(.copy, source: "INBOX", mailbox: "Junk", msgid: "<\(number % 20)@z>"))
            #expect(classifier.rememberedMessages <= 100)
        }
        // Messages seen recently, or often, are still known; one seen long ago is not.
        #expect(classifier.classify(.make(.copy, source: "INBOX", mailbox: "Junk", msgid: "<9999@y>")).verdict == nil)
        #expect(classifier.classify(.make(.copy, source: "INBOX", mailbox: "Junk", msgid: "<5@z>")).verdict == nil)
        #expect(classifier.classify(.make(.copy, source: "INBOX", mailbox: "Junk", msgid: "<1@x>")).verdict != nil)
    }

    @Test("reasons name the mailboxes of each event, however many different ones come and go")
    func reasonsFollowEvents() {
        var classifier = Classifier()
        for number in 0..<200 {
            // Twenty folders, in an order that keeps bringing back ones seen a while ago.
            let folder = "Folder \(number * 7 % 20)"
            let spam = classifier.classify(
                .make(.copy, source: folder, mailbox: "Junk", msgid: "<s\(number)@x>")
            )
            #expect(spam.verdict?.reason == "copied from \(folder) into Junk")
            let ham = classifier.classify(.make(.copy, source: "Spam", mailbox: folder, msgid: "<h\(number)@x>"))
            #expect(ham.verdict?.reason == "copied out of Spam into \(folder)")
            let flagged = classifier.classify(
                .make(.flag, mailbox: folder, msgid: "<f\(number)@x>", flags: [number % 2 == 0 ? "$Junk" : "Junk"])
            )
            #expect(flagged.verdict?.reason == "flagged \(number % 2 == 0 ? "$Junk" : "Junk") in \(folder)")
        }
    }

    @Test("a reason spells a mailbox as its event does, even after an equal name spelled otherwise")
    func reasonsKeepSpelling() {
        var classifier = Classifier()
        for (number, folder) in ["M\u{FC}ll", "Mu\u{308}ll", "M\u{FC}ll"].enumerated() {
            let verdict = classifier.classify(.make(.copy, source: folder, mailbox: "Junk", msgid: "<\(number)@x>"))
                .verdict
            #expect(verdict.map { Array($0.reason.utf8) } == Array("copied from \(folder) into Junk".utf8))
        }
    }

    @Test("a real session: the verdicts a person would expect")
    func capturedSession() throws {
        let filters = try shippedFilters("dovecot-mail-log")
        var classifier = Classifier()
        var verdicts: [String] = []
        for line in try fixtureLines("dovecot-2.3.19-file-log.txt") {
            guard let event = filters.parse(line: line).event, let verdict = classifier.verdict(for: event) else {
                continue
            }
            verdicts.append("\(verdict.kind) \(verdict.user) \(verdict.message.mailbox) \(verdict.message.msgid)")
        }
        #expect(
            verdicts == [
                "spam alice@example.com Junk <appended@x>",  // APPEND into Junk
                "spam alice@example.com Junk <m1@x>",  // COPY INBOX -> Junk; the $Junk flag after it is a repeat
                "ham alice@example.com INBOX <m1@x>",  // STORE +FLAGS $NotJunk
                "ham alice@example.com INBOX <appended@x>",  // MOVE Junk -> INBOX
                "spam dave smith@example.net Junk <d1@x>",  // MOVE INBOX -> Junk
                "spam alice@example.com Junk <nj@x>",  // APPEND into Junk; lmtp and doveadm teach nothing
            ]
        )
    }
}
