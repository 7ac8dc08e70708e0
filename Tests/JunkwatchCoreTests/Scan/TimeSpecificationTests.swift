import Foundation
import JunkwatchCore
import Testing

@Suite("TimeSpecification")
struct TimeSpecificationTests {
    static let now: UInt64 = 1_795_000_000_000_000

    static let day: UInt64 = 86_400_000_000
    static let hour: UInt64 = 3_600_000_000
    static let minute: UInt64 = 60_000_000
    static let relativeCases: [(String, UInt64)] = [
        ("-7d", now - 7 * day), ("-2h", now - 2 * hour), ("+15min", now + 15 * minute),
        ("-2h30min", now - 2 * hour - 30 * minute), ("-1 week", now - 7 * day), ("-90", now - 90_000_000),
        ("now", now),
    ]

    @Test("relative times count back or forward from now", arguments: relativeCases)
    func relative(text: String, expected: UInt64) throws {
        #expect(try TimeSpecification.parse(text, now: Self.now) == expected)
    }

    @Test("absolute times: UTC offsets, epoch seconds")
    func absolute() throws {
        #expect(try TimeSpecification.parse("2026-11-01T00:00:00Z") == 1_793_491_200_000_000)
        #expect(try TimeSpecification.parse("2026-11-01 01:00:00+01:00") == 1_793_491_200_000_000)
        #expect(try TimeSpecification.parse("@1700000000") == 1_700_000_000_000_000)
    }

    @Test("dates without a zone are local time, like journalctl's")
    func local() throws {
        let parsed = try TimeSpecification.parse("2026-11-01 08:30")
        var parts = tm()
        parts.tm_year = 126
        parts.tm_mon = 10
        parts.tm_mday = 1
        parts.tm_hour = 8
        parts.tm_min = 30
        parts.tm_isdst = -1
        #expect(parsed == UInt64(mktime(&parts)) * 1_000_000)
        #expect(try TimeSpecification.parse("2026-11-01") < parsed)
    }

    @Test("yesterday, today and tomorrow are local midnights a day apart")
    func days() throws {
        let today = try TimeSpecification.parse("today", now: Self.now)
        let yesterday = try TimeSpecification.parse("yesterday", now: Self.now)
        let tomorrow = try TimeSpecification.parse("tomorrow", now: Self.now)
        #expect(today <= Self.now && Self.now - today < 86_400_000_000)
        #expect((today - yesterday) / 3_600_000_000 >= 23 && (today - yesterday) / 3_600_000_000 <= 25)
        #expect(tomorrow > Self.now)
    }

    @Test("nonsense is an error that shows the accepted forms", arguments: ["blah", "-7x", "2026-13-01", "2026-11-01 25:00", "", "-"])
    func invalid(text: String) {
        let error = #expect(throws: TimeSpecificationError.self) { try TimeSpecification.parse(text) }
        #expect(error?.description.contains("-7d") == true)
    }
}
