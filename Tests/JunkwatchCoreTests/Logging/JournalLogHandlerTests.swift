import Foundation
import JunkwatchCore
import Logging
import SystemdJournal
import TestSupport
import Testing

@Suite("swift-log into the journal")
struct JournalLogHandlerTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "rspamd said no" }
    }

    @Test(
        "metadata keys become valid JUNKWATCH_ field names",
        arguments: [
            ("user", "JUNKWATCH_USER"), ("retryIn", "JUNKWATCH_RETRY_IN"), ("error.message", "JUNKWATCH_ERROR_MESSAGE"),
            ("HTTPStatus", "JUNKWATCH_HTTPSTATUS"), ("learner-2", "JUNKWATCH_LEARNER_2"), ("2fa", "JUNKWATCH_2FA"),
            ("__x__y__", "JUNKWATCH_X_Y"), ("", "JUNKWATCH_METADATA"), ("Müll box", "JUNKWATCH_M_LL_BOX"),
            ("junkwatch_user", "JUNKWATCH_USER"), ("sourceCursor", "JUNKWATCH_SOURCE_CURSOR"),
            (String(repeating: "a", count: 100), "JUNKWATCH_" + String(repeating: "A", count: 54)),
        ]
    )
    func fieldNames(_ key: String, _ expected: String) throws {
        let name = JournalLogHandler.fieldName(forMetadataKey: key)
        #expect(name == expected)
        try JournalFieldName.validate(name)
    }

    @Test("levels map to syslog priorities")
    func priorities() {
        let expected: [(Logger.Level, JournalPriority)] = [
            (.trace, .debug), (.debug, .debug), (.info, .info), (.notice, .notice), (.warning, .warning),
            (.error, .error), (.critical, .critical),
        ]
        for (level, priority) in expected { #expect(JournalLogHandler.priority(level) == priority) }
    }

    @Test("an event becomes MESSAGE, PRIORITY, the identifier, the code location and the metadata")
    func event() throws {
        let sink = RecordingSink()
        var logger = Logger(label: "junkwatch.test") { label in
            JournalLogHandler(label: label, sink: sink, metadataProvider: nil)
        }
        logger.logLevel = .debug
        logger[metadataKey: "learner"] = "rspamd"
        logger.warning(
            "rspamd is failing",
            error: Failure(),
            metadata: ["retryIn": "30", "user": "x$(reboot)", "learner": "rspamd-fuzzy"]
        )
        logger.trace("not logged")
        let sent = sink.sent
        try #require(sent.count == 1)
        let entry = sent[0]
        #expect(entry.text("MESSAGE") == "rspamd is failing")
        #expect(entry.text("PRIORITY") == "4")
        #expect(entry.text("SYSLOG_IDENTIFIER") == "junkwatch")
        #expect(entry.text("CODE_FILE")?.hasSuffix("JournalLogHandlerTests.swift") == true)
        #expect(Int(entry.text("CODE_LINE") ?? "") ?? 0 > 0)
        #expect(entry.text("CODE_FUNC") == "event()")
        #expect(entry.text("JUNKWATCH_LOGGER") == "junkwatch.test")
        // The event's metadata wins over the logger's.
        #expect(entry.values("JUNKWATCH_LEARNER").map { String(decoding: $0, as: UTF8.self) } == ["rspamd-fuzzy"])
        #expect(entry.text("JUNKWATCH_RETRY_IN") == "30")
        #expect(entry.text("JUNKWATCH_USER") == "x$(reboot)")
        #expect(entry.text("JUNKWATCH_ERROR_MESSAGE") == "rspamd said no")
        #expect(entry.text("JUNKWATCH_ERROR_TYPE")?.hasSuffix("Failure") == true)
        for field in entry.fields { try JournalFieldName.validate(field.name) }
    }

    @Test("the metadata provider's items are sent too")
    func provider() throws {
        let sink = RecordingSink()
        let provider = Logger.MetadataProvider { ["request": "42"] }
        let logger = Logger(label: "p") { JournalLogHandler(label: $0, sink: sink, metadataProvider: provider) }
        logger.info("hello", metadata: ["list": ["a", "b"], "map": ["k": "v"]])
        let entry = try #require(sink.sent.first)
        #expect(entry.text("JUNKWATCH_REQUEST") == "42")
        #expect(entry.text("JUNKWATCH_LIST") == #"["a", "b"]"#)
        #expect(entry.text("JUNKWATCH_MAP") == #"["k": "v"]"#)
    }

    @Test("the journal when stderr is the journal stream or systemd runs the service; else stderr")
    func destination() {
        typealias Logging = JunkwatchLogging
        let stderr: (device: UInt64, inode: UInt64)? = (device: 23, inode: 4711)
        #expect(
            Logging.destination(
                environment: ["JOURNAL_STREAM": "23:4711"],
                standardError: stderr,
                journaldListens: true
            ) == .journal
        )
        // Inherited by a child whose stderr went elsewhere: not the journal.
        #expect(
            Logging.destination(
                environment: ["JOURNAL_STREAM": "23:4712"],
                standardError: stderr,
                journaldListens: true
            ) == .standardError
        )
        #expect(
            Logging.destination(
                environment: ["JOURNAL_STREAM": "garbage"],
                standardError: stderr,
                journaldListens: true
            ) == .standardError
        )
        #expect(
            Logging.destination(environment: ["INVOCATION_ID": "abc"], standardError: stderr, journaldListens: true)
                == .journal
        )
        #expect(
            Logging.destination(environment: ["INVOCATION_ID": "abc"], standardError: stderr, journaldListens: false)
                == .standardError
        )
        #expect(Logging.destination(environment: [:], standardError: nil, journaldListens: true) == .standardError)
    }

    @Test("a logged event reaches journald with its fields", .needsJournald)
    func live() async throws {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let logger = Logger(label: "junkwatch.live") { JournalLogHandler(label: $0, metadataProvider: nil) }
        logger.error("journal log handler test \(id)", metadata: ["testID": "\(id)", "reason": "line one\nline two"])

        let reader = try JournalReader(.local)
        try reader.addMatch("JUNKWATCH_TEST_ID=\(id)")
        try reader.seekHead()
        let entry = try await reader.awaitEntries(1)[0]
        #expect(entry.text("MESSAGE") == "journal log handler test \(id)")
        #expect(entry.text("PRIORITY") == "3")
        #expect(entry.text("SYSLOG_IDENTIFIER") == "junkwatch")
        #expect(entry.text("CODE_FUNC") == "live()")
        #expect(entry.text("JUNKWATCH_REASON") == "line one\nline two")
        #expect(entry.text("_TRANSPORT") == "journal")
    }
}
