import Foundation
import JunkwatchCore
import SystemdJournal
import Testing

/// What a line should parse into.
struct Expected: Sendable, CustomTestStringConvertible {
    var line: String
    var kind: MailEvent.Kind
    var service = "imap"
    var user = "alice@example.com"
    var pid: Int? = 16052
    var session: String? = "qXGocr9gnpJ/AAAB"
    var source: String?
    var mailbox: String
    var uid: UInt32?
    var msgid = ""
    var size: Int?
    var flags: [String]?

    var testDescription: String { line }

    func check(_ outcome: ParseOutcome, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let event = outcome.event else {
            Issue.record("not parsed: \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(event.kind == kind, sourceLocation: sourceLocation)
        #expect(event.service == service, sourceLocation: sourceLocation)
        #expect(event.user == user, sourceLocation: sourceLocation)
        #expect(event.pid == pid, sourceLocation: sourceLocation)
        #expect(event.session == session, sourceLocation: sourceLocation)
        #expect(event.source == source, sourceLocation: sourceLocation)
        #expect(event.mailbox == mailbox, sourceLocation: sourceLocation)
        #expect(event.uid == uid, sourceLocation: sourceLocation)
        #expect(event.msgid == msgid, sourceLocation: sourceLocation)
        #expect(event.size == size, sourceLocation: sourceLocation)
        #expect(event.flags == flags, sourceLocation: sourceLocation)
    }
}

let prefix = "imap(alice@example.com)<16052><qXGocr9gnpJ/AAAB>: "
let longMsgid = "<" + String(repeating: "a", count: 76) + "..."

/// Dovecot 2.3 lines, as the journal holds them unless marked otherwise.
let dovecot23Lines: [Expected] = [
    // DESIGN.md's sample.
    Expected(
        line: prefix + "copy from Junk: box=INBOX, uid=1, msgid=<m1@x>, size=364",
        kind: .copy,
        source: "Junk",
        mailbox: "INBOX",
        uid: 1,
        msgid: "<m1@x>",
        size: 364
    ),
    Expected(
        line: prefix + "save: box=Junk, uid=2, msgid=<m2@x>, size=1879, flags=()",
        kind: .save,
        mailbox: "Junk",
        uid: 2,
        msgid: "<m2@x>",
        size: 1879,
        flags: []
    ),
    Expected(
        line: prefix + "expunge: box=Junk, uid=5, msgid=<m5@x>, size=364",
        kind: .expunge,
        mailbox: "Junk",
        uid: 5,
        msgid: "<m5@x>",
        size: 364
    ),
    Expected(
        line: prefix + #"flag_change: box=INBOX, uid=3, msgid=<m3@x>, size=92, flags=(\Seen $Junk)"#,
        kind: .flag,
        mailbox: "INBOX",
        uid: 3,
        msgid: "<m3@x>",
        size: 92,
        flags: [#"\Seen"#, "$Junk"]
    ),
    // Every optional field; from and subject with commas, colons and a fake flags field.
    Expected(
        line: prefix
            + #"copy from INBOX: box=Archive, uid=1, msgid=<c@x>, size=117, vsize=123, from="Doe, John" <j@x>, "#
            + "subject=Subject, with: commas, flags=($Junk), flags=()",
        kind: .copy,
        source: "INBOX",
        mailbox: "Archive",
        uid: 1,
        msgid: "<c@x>",
        size: 117,
        flags: []
    ),
    Expected(
        line: prefix + "save: box=Junk, uid=9, msgid=<m9@x>, size=10, vsize=12",
        kind: .save,
        mailbox: "Junk",
        uid: 9,
        msgid: "<m9@x>",
        size: 10
    ),
    Expected(
        line: prefix + "save: box=Junk, uid=9, msgid=<m9@x>, size=10, subject=hi, there",
        kind: .save,
        mailbox: "Junk",
        uid: 9,
        msgid: "<m9@x>",
        size: 10
    ),
    // Dovecot could not learn the new UID, or the size.
    Expected(
        line: prefix + "save: box=Junk, uid=error, msgid=<m2@x>, size=error",
        kind: .save,
        mailbox: "Junk",
        uid: nil,
        msgid: "<m2@x>",
        size: nil
    ),
    // No Message-ID, and one cut at 80 bytes.
    Expected(
        line: prefix + "copy from INBOX: box=Junk, uid=4, msgid=, size=81",
        kind: .copy,
        source: "INBOX",
        mailbox: "Junk",
        uid: 4,
        msgid: "",
        size: 81
    ),
    Expected(
        line: prefix + "copy from INBOX: box=Junk, uid=4, msgid=\(longMsgid), size=206",
        kind: .copy,
        source: "INBOX",
        mailbox: "Junk",
        uid: 4,
        msgid: longMsgid,
        size: 206
    ),
    // A Message-ID with a comma-space and size-like text in it still ends at the real size.
    Expected(
        line: prefix + "copy from INBOX: box=Junk, uid=4, msgid=<a, size=1>, size=81",
        kind: .copy,
        source: "INBOX",
        mailbox: "Junk",
        uid: 4,
        msgid: "<a, size=1>",
        size: 81
    ),
    // Mailbox names with commas, spaces, colons, non-ASCII, and an event word.
    Expected(
        line: prefix + "copy from INBOX: box=Spam, Reports, uid=1, msgid=, size=81",
        kind: .copy,
        source: "INBOX",
        mailbox: "Spam, Reports",
        uid: 1,
        size: 81
    ),
    Expected(
        line: prefix + "copy from Archive: 2023: box=x: copy from y, uid=1, msgid=<c@x>, size=117",
        kind: .copy,
        source: "Archive: 2023",
        mailbox: "x: copy from y",
        uid: 1,
        msgid: "<c@x>",
        size: 117
    ),
    Expected(
        line: prefix + "copy from Spam, Reports: box=Müll, uid=7, msgid=<m@x>, size=1",
        kind: .copy,
        source: "Spam, Reports",
        mailbox: "Müll",
        uid: 7,
        msgid: "<m@x>",
        size: 1
    ),
    // Users with spaces, quotes, plus signs and parentheses.
    Expected(
        line: "imap(dave smith@example.net)<1><s>: copy from INBOX: box=Junk, uid=1, msgid=<d1@x>, size=92",
        kind: .copy,
        user: "dave smith@example.net",
        pid: 1,
        session: "s",
        source: "INBOX",
        mailbox: "Junk",
        uid: 1,
        msgid: "<d1@x>",
        size: 92
    ),
    Expected(
        line: "imap(carol.o'neil+tag@example.org)<2><t>: save: box=INBOX, uid=1, msgid=<c1@x>, size=2043, flags=()",
        kind: .save,
        user: "carol.o'neil+tag@example.org",
        pid: 2,
        session: "t",
        mailbox: "INBOX",
        uid: 1,
        msgid: "<c1@x>",
        size: 2043,
        flags: []
    ),
    Expected(
        line: "imap(x$(reboot)@example.com)<3><u>: save: box=Junk, uid=1, msgid=<x@x>, size=5, flags=()",
        kind: .save,
        user: "x$(reboot)@example.com",
        pid: 3,
        session: "u",
        mailbox: "Junk",
        uid: 1,
        msgid: "<x@x>",
        size: 5,
        flags: []
    ),
    // Without a session, without a pid, and in a file log with "Info: ".
    Expected(
        line: "imap(alice@example.com)<16052>: expunge: box=INBOX, uid=2, msgid=<m@x>, size=1",
        kind: .expunge,
        session: nil,
        mailbox: "INBOX",
        uid: 2,
        msgid: "<m@x>",
        size: 1
    ),
    Expected(
        line: "doveadm(alice@example.com): Info: copy from INBOX: box=Junk, uid=3, msgid=<l@x>, size=288, flags=()",
        kind: .copy,
        service: "doveadm",
        pid: nil,
        session: nil,
        source: "INBOX",
        mailbox: "Junk",
        uid: 3,
        msgid: "<l@x>",
        size: 288,
        flags: []
    ),
    Expected(
        line: prefix + "Info: autoexpunge: box=Trash, uid=8, msgid=<m@x>, size=1",
        kind: .expunge,
        mailbox: "Trash",
        uid: 8,
        msgid: "<m@x>",
        size: 1
    ),
    // Other services.
    Expected(
        line: "lmtp(alice@example.com)<21255><jJ3HFsP7AGsHUwAAg+zDdQ>: save: box=Junk, uid=7, msgid=<l@x>, size=288",
        kind: .save,
        service: "lmtp",
        pid: 21255,
        session: "jJ3HFsP7AGsHUwAAg+zDdQ",
        mailbox: "Junk",
        uid: 7,
        msgid: "<l@x>",
        size: 288
    ),
    Expected(
        line: "lda(alice@example.com): save: box=Junk, uid=7, msgid=<l@x>, size=288",
        kind: .save,
        service: "lda",
        pid: nil,
        session: nil,
        mailbox: "Junk",
        uid: 7,
        msgid: "<l@x>",
        size: 288
    ),
    Expected(
        line: "pop3(alice@example.com)<9><p>: expunge: box=INBOX, uid=7, msgid=<l@x>, size=288",
        kind: .expunge,
        service: "pop3",
        pid: 9,
        session: "p",
        mailbox: "INBOX",
        uid: 7,
        msgid: "<l@x>",
        size: 288
    ),
    Expected(
        line: "indexer-worker(alice@example.com)<9><p>: flag_change: box=INBOX, uid=7, msgid=<l@x>, size=1, flags=()",
        kind: .flag,
        service: "indexer-worker",
        pid: 9,
        session: "p",
        mailbox: "INBOX",
        uid: 7,
        msgid: "<l@x>",
        size: 1,
        flags: []
    ),
]

/// Dovecot 2.4 lines: the mailbox in the "Mailbox <name>: " prefix.
let dovecot24Lines: [Expected] = [
    Expected(
        line: prefix + "Mailbox INBOX: copy from Junk: uid=1, msgid=<m1@x>, size=364",
        kind: .copy,
        source: "Junk",
        mailbox: "INBOX",
        uid: 1,
        msgid: "<m1@x>",
        size: 364
    ),
    Expected(
        line: prefix + "Mailbox Junk: save: uid=2, msgid=<m2@x>, size=1879",
        kind: .save,
        mailbox: "Junk",
        uid: 2,
        msgid: "<m2@x>",
        size: 1879
    ),
    Expected(
        line: prefix + "Mailbox Junk: expunge: uid=5, msgid=<m5@x>, size=364, flags=(\\Seen)",
        kind: .expunge,
        mailbox: "Junk",
        uid: 5,
        msgid: "<m5@x>",
        size: 364,
        flags: ["\\Seen"]
    ),
    Expected(
        line: prefix + "Mailbox INBOX: flag_change: uid=3, msgid=<m3@x>, size=92, flags=(\\Seen $NotJunk)",
        kind: .flag,
        mailbox: "INBOX",
        uid: 3,
        msgid: "<m3@x>",
        size: 92,
        flags: ["\\Seen", "$NotJunk"]
    ),
    Expected(
        line: prefix + "Mailbox Archive: 2023: copy from Spam, Reports: uid=1, msgid=, size=1",
        kind: .copy,
        source: "Spam, Reports",
        mailbox: "Archive: 2023",
        uid: 1,
        size: 1
    ),
    Expected(
        line: prefix + "Mailbox Müll: copy from a: b: box=Müll, uid=error, msgid=<m@x>, size=error, vsize=3, "
            + "from=x, subject=y: z, flags=($Junk)",
        kind: .copy,
        source: "a: b",
        mailbox: "Müll",
        msgid: "<m@x>",
        flags: ["$Junk"]
    ),
    Expected(
        line: "imap(dave smith@example.net)<1>: Mailbox Junk: save: uid=4, msgid=<d@x>, size=9",
        kind: .save,
        user: "dave smith@example.net",
        pid: 1,
        session: nil,
        mailbox: "Junk",
        uid: 4,
        msgid: "<d@x>",
        size: 9
    ),
]

@Suite("Parsing dovecot lines")
struct FilterParsingTests {
    @Test("dovecot 2.3 lines", arguments: dovecot23Lines)
    func dovecot23(_ expected: Expected) throws {
        let filters = try shippedFilters("dovecot-mail-log")
        expected.check(filters.parse(line: expected.line))
    }

    @Test("dovecot 2.4 lines", arguments: dovecot24Lines)
    func dovecot24(_ expected: Expected) throws {
        let filters = try shippedFilters("dovecot-2.4-mail-log")
        expected.check(filters.parse(line: expected.line))
    }

    @Test("each dovecot version's filter leaves the other's lines alone")
    func versionsDoNotMix() throws {
        let filters23 = try shippedFilters("dovecot-mail-log")
        let filters24 = try shippedFilters("dovecot-2.4-mail-log")
        for expected in dovecot24Lines {
            #expect(filters23.parse(line: expected.line).event == nil, "\(expected.line)")
        }
        for expected in dovecot23Lines {
            #expect(filters24.parse(line: expected.line).event == nil, "\(expected.line)")
        }
    }

    @Test("the shipped filters run on the fast matcher")
    func shippedRulesAreFast() throws {
        let filters = try shippedFilters("dovecot-mail-log", "dovecot-2.4-mail-log")
        for filter in filters.filters {
            for rule in filter.rules {
                #expect(rule.isFast, "\(filter.name)/\(rule.name)")
            }
        }
    }

    @Test(
        "lines that are not mail_log events are unmatched",
        arguments: [
            "imap-login: Login: user=<alice@example.com>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=1",
            prefix + "Disconnected: Logged out in=128 out=1032 deleted=0 expunged=0 trashed=0",
            prefix + "delete: box=INBOX, uid=1, msgid=<m1@x>, size=92, flags=(\\Deleted)",
            prefix + "undelete: box=INBOX, uid=1, msgid=<m1@x>, size=92, flags=()",
            "lmtp(alice@example.com)<1><s>: msgid=<lmtp1@x>: saved mail to INBOX",
            "lmtp(21255): Connect from local",
            prefix + "copy from INBOX: box=, uid=1, msgid=<m1@x>, size=92",
            "(alice)<1><s>: copy from INBOX: box=Junk, uid=1, msgid=<m1@x>, size=92",
            "imap()<1><s>: copy from INBOX: box=Junk, uid=1, msgid=<m1@x>, size=92",
            "",
        ]
    )
    func unmatched(_ line: String) throws {
        let filters = try shippedFilters("dovecot-mail-log", "dovecot-2.4-mail-log")
        #expect(filters.parse(line: line).event == nil)
    }

    @Test("every captured mail_log line parses, and no other line does")
    func fixtures() throws {
        let filters = try shippedFilters("dovecot-mail-log")
        let event = try Regex(
            #"^[a-z-]+\(.+?\)(<\d+>)?(<[^<>]*>)?: (Info: )?(copy from .+?|save|(auto)?expunge|flag_change): box="#
        )
        let urls = try fixtureFiles(withExtension: "txt")
        #expect(!urls.isEmpty)
        var parsed = 0
        for url in urls {
            for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
                let outcome = filters.parse(line: String(line))
                let isEvent = (try? event.firstMatch(in: String(line))) != nil
                #expect((outcome.event != nil) == isEvent, "\(url.lastPathComponent): \(line) -> \(outcome)")
                if let made = outcome.event {
                    parsed += 1
                    #expect(line.contains(made.user) && line.contains(made.mailbox))
                    #expect(made.uid != nil)
                }
            }
        }
        #expect(parsed >= 150)
    }

    @Test("captured lines with awkward names parse as dovecot meant them")
    func capturedAwkwardLines() throws {
        let filters = try shippedFilters("dovecot-mail-log")
        let events = try fixtureLines("dovecot-2.3.19-file-log.txt").compactMap { filters.parse(line: $0).event }
        let archive = try #require(events.first { $0.mailbox == "Archive: 2023" && $0.kind == .copy })
        #expect(archive.source == "INBOX")
        #expect(archive.flags == [])
        #expect(archive.msgid == "<c@x>")
        let nested = try #require(events.first { $0.source == "Archive: 2023" })
        #expect(nested.mailbox == "x: copy from y")
        let spaced = try #require(events.first { $0.user == "dave smith@example.net" && $0.kind == .copy })
        #expect(spaced.mailbox == "Junk")
        #expect(events.contains { $0.mailbox == "Müll" })
        #expect(events.contains { $0.mailbox == "Spam, Reports" && $0.msgid.isEmpty })
        #expect(events.contains { $0.msgid.hasSuffix("...") && $0.msgid.utf8.count == 80 })
        #expect(events.contains { $0.service == "lmtp" && $0.kind == .save })
        #expect(events.contains { $0.service == "doveadm" && $0.session == nil && $0.pid == nil })
    }

    @Test("a journal entry is read by the filters whose match it satisfies")
    func journalEntries() throws {
        let filters = try shippedFilters("dovecot-mail-log")
        let line = prefix + "copy from Junk: box=INBOX, uid=1, msgid=<m1@x>, size=364"
        let unit = JournalEntry(
            cursor: "s=1;i=2",
            realtime: 42,
            fields: [
                JournalField(name: "_SYSTEMD_UNIT", text: "dovecot.service"),
                JournalField(name: "MESSAGE", text: line),
            ]
        )
        let event = try #require(filters.parse(unit).event)
        #expect(event.cursor == "s=1;i=2")
        #expect(event.realtime == 42)
        #expect(event.filter == "dovecot-mail-log")
        #expect(event.rule == "copy")

        let identifier = JournalEntry(fields: [
            JournalField(name: "SYSLOG_IDENTIFIER", text: "dovecot"),
            JournalField(name: "MESSAGE", text: line),
        ])
        #expect(filters.parse(identifier).event != nil)

        let other = JournalEntry(fields: [
            JournalField(name: "_SYSTEMD_UNIT", text: "postfix.service"),
            JournalField(name: "MESSAGE", text: line),
        ])
        #expect(filters.parse(other) == .unmatched(.notSelected))

        let noMessage = JournalEntry(fields: [JournalField(name: "_SYSTEMD_UNIT", text: "dovecot.service")])
        #expect(filters.parse(noMessage) == .unmatched(.noLine(field: "MESSAGE")))
    }

    @Test("within a match group a field's values are alternatives and its fields are all needed; any group will do")
    func journalMatchRules() throws {
        var filter = try #require(try shippedFilters("dovecot-mail-log").filters.first)
        filter.match = try JournalMatch([
            ["_SYSTEMD_UNIT=dovecot.service", "_SYSTEMD_UNIT=imap.service", "SYSLOG_IDENTIFIER=dovecot"],
            ["PRIORITY=3"],
        ])
        let filters = FilterSet([filter])
        let line = JournalField(
            name: "MESSAGE",
            text: prefix + "copy from Junk: box=INBOX, uid=1, msgid=<m1@x>, size=364"
        )
        func outcome(_ fields: [String: String]) -> ParseOutcome {
            filters.parse(JournalEntry(fields: fields.map { JournalField(name: $0.key, text: $0.value) } + [line]))
        }
        #expect(outcome(["_SYSTEMD_UNIT": "dovecot.service", "SYSLOG_IDENTIFIER": "dovecot"]).event != nil)
        #expect(outcome(["_SYSTEMD_UNIT": "imap.service", "SYSLOG_IDENTIFIER": "dovecot"]).event != nil)
        #expect(outcome(["_SYSTEMD_UNIT": "dovecot.service"]) == .unmatched(.notSelected))
        let otherUnit = outcome(["_SYSTEMD_UNIT": "postfix.service", "SYSLOG_IDENTIFIER": "dovecot"])
        #expect(otherUnit == .unmatched(.notSelected))
        #expect(outcome(["PRIORITY": "3"]).event != nil)
        #expect(outcome(["PRIORITY": "4", "SYSLOG_IDENTIFIER": "dovecot"]) == .unmatched(.notSelected))
    }

    @Test("the set's journal match joins its filters' groups")
    func journalMatch() throws {
        let filters = try shippedFilters("dovecot-mail-log", "dovecot-2.4-mail-log")
        #expect(filters.journalMatch.groups == [["_SYSTEMD_UNIT=dovecot.service"], ["SYSLOG_IDENTIFIER=dovecot"]])
    }
}
