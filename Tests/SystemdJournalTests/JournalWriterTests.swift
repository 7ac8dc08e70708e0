import Foundation
import SystemdJournal
import Testing
import TestSupport

@Suite("JournalWriter")
struct JournalWriterTests {
    @Test(
        "field names journald would reject are refused before anything is sent",
        arguments: [
            ("message", "lowercase"), ("_PRIVATE", "underscore"), ("", "empty"), ("1FIELD", "digit"),
            ("JUNK-WATCH", "only A-Z"), (String(repeating: "A", count: 65), "longer than 64"),
        ]
    )
    func rejectsBadFieldNames(name: String, expected: String) throws {
        let error = #expect(throws: JournalError.self) {
            try JournalWriter().send([JournalField(name: name, text: "x")])
        }
        let description = try #require(error).description
        #expect(description.contains("invalid journal field name"))
        #expect(description.contains(expected))
    }

    @Test("a 64-byte name is the longest accepted")
    func longestName() throws {
        try JournalFieldName.validate(String(repeating: "A", count: 64))
        try JournalFieldName.validate("JUNKWATCH_USER_2")
    }

    @Test("entries sent to journald are read back with every field", .needsJournald)
    func roundTrip() async throws {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let binary: [UInt8] = [0, 1, 2, 0x0a, 0xff, 0xfe, 0x0a]
        try JournalWriter().send([
            JournalField(name: "MESSAGE", text: "junkwatch writer test \(id)"),
            JournalField(name: "SYSLOG_IDENTIFIER", text: "junkwatch-test"),
            JournalField(name: "PRIORITY", text: "6"),
            JournalField(name: "JUNKWATCH_TEST_ID", text: id),
            JournalField(name: "JUNKWATCH_MULTILINE", text: "first line\nsecond line"),
            JournalField(name: "JUNKWATCH_BINARY", value: binary),
            JournalField(name: "JUNKWATCH_USER", text: "carol.o'neil+tag@example.org"),
        ])

        let reader = try JournalReader(.local)
        try reader.addMatch("JUNKWATCH_TEST_ID=\(id)")
        try reader.seekHead()
        let entry = try await reader.awaitEntries(1)[0]
        #expect(entry.text("MESSAGE") == "junkwatch writer test \(id)")
        #expect(entry.text("JUNKWATCH_MULTILINE") == "first line\nsecond line")
        #expect(entry["JUNKWATCH_BINARY"] == binary)
        #expect(entry.text("JUNKWATCH_USER") == "carol.o'neil+tag@example.org")
        #expect(entry.text("_TRANSPORT") == "journal")
        #expect(try reader.next() == false)
    }
}
