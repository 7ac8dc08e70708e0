import Foundation
import SystemdJournal
import TestSupport
import Testing

@testable import JunkwatchCore

/// The service's per-entry step (`scanCurrent`, what the follower runs) against a replay's scan
/// of the same journal: the same outcome for every entry, whatever the filters.
@Suite("EntryScanner.scanCurrent", .requiresJournalRemote)
struct EntryScannerCurrentTests {
    static let start: UInt64 = 1_763_700_000_000_000

    /// Dovecot's and a relay's copy lines, alike but logged by different units.
    static func journal(count: Int) -> [UInt8] {
        var text = ExportText()
        for index in 0..<count {
            text.text("__REALTIME_TIMESTAMP", "\(start + UInt64(index) * 1_000)")
            text.text("__MONOTONIC_TIMESTAMP", "\(1_000_000 + UInt64(index) * 1_000)")
            text.text("_BOOT_ID", "0123456789abcdef0123456789abcdef")
            let unit = ["dovecot.service", "relay.service", "cron.service"][index % 3]
            text.text("_SYSTEMD_UNIT", unit)
            text.text(
                "MESSAGE",
                "imap(user\(index % 5)@example.com)<\(1000 + index)><s\(index)>: "
                    + "copy from INBOX: box=Junk, uid=\(index + 1), msgid=<m\(index)@x>, size=\(index)"
            )
            text.endEntry()
        }
        return text.bytes
    }

    /// Two filters that read the same field with the same rules, under different journal
    /// matches: which one makes an event depends on the entry's unit.
    static func filters() throws -> FilterSet {
        let dovecot = try #require(try shippedFilters("dovecot-mail-log").filters.first)
        var relay = dovecot
        relay.name = "relay"
        relay.match = try JournalMatch("_SYSTEMD_UNIT=relay.service")
        return FilterSet([dovecot, relay])
    }

    @Test("two filters on one field under different matches: the follower's step agrees with a replay")
    func followerAgreesWithReplay() async throws {
        let directory = try await JournalFixture.make(exportText: Self.journal(count: 300))
        defer { JournalFixture.cleanUp(directory) }
        let filters = try Self.filters()

        var replayed: [String] = []
        for readsAhead in [false, true] {
            var scanner = EntryScanner(input: .journal(.directory(directory)), filters: filters)
            scanner.readsAhead = readsAhead
            var lines: [String] = []
            try scanner.run { scanned in
                lines.append("\(scanned.realtime ?? 0) \(scanned.outcome)")
                return true
            }
            if readsAhead { #expect(lines == replayed) } else { replayed = lines }
        }

        let reader = try JournalReader(.directory(directory))
        try reader.apply(try JournalFollower.match(filters))
        try reader.seekHead()
        var followed: [String] = []
        while try reader.next() {
            let scanned = try EntryScanner.scanCurrent(reader, filters: filters, realtime: try reader.realtime())
            followed.append("\(scanned.realtime ?? 0) \(scanned.outcome)")
        }

        // cron's lines are not read; each other line is an event of its own unit's filter.
        #expect(replayed.count == 200)
        #expect(replayed.filter { $0.contains("filter: \"relay\"") }.count == 100)
        #expect(replayed.filter { $0.contains("filter: \"dovecot-mail-log\"") }.count == 100)
        #expect(followed.count == replayed.count)
        if let index = followed.indices.first(where: { $0 < replayed.count && followed[$0] != replayed[$0] }) {
            Issue.record("entry \(index): the follower made \(followed[index]), a replay \(replayed[index])")
        }
    }
}
