import Foundation
import SystemdJournal
import TestSupport
import Testing

@testable import JunkwatchCore

@Suite("Replay progress")
struct ReplayProgressTests {
    typealias Snapshot = ReplayProgress.Snapshot
    typealias Span = ReplayProgress.Span

    static let second: UInt64 = 1_000_000
    static let start: UInt64 = 1_795_000_000 * second

    @Test("the fraction is the position in time between the span's start and end")
    func fraction() {
        let span = Span(start: Self.start, end: Self.start + 100 * Self.second)
        func at(_ seconds: UInt64) -> Double? {
            ReplayProgress.fraction(Snapshot(entries: 1, position: Self.start + seconds * Self.second), span: span)
        }
        #expect(at(0) == 0)
        #expect(at(25) == 0.25)
        #expect(at(100) == 1)
        #expect(at(150) == 1)
        #expect(ReplayProgress.fraction(Snapshot(position: Self.start - Self.second), span: span) == 0)
        // Nothing read yet: at the start; no end known: no fraction.
        #expect(ReplayProgress.fraction(Snapshot(), span: span) == 0)
        #expect(ReplayProgress.fraction(Snapshot(position: Self.start), span: Span(start: Self.start)) == nil)
        // Without a start the first entry read stands in.
        let open = Span(end: Self.start + 100 * Self.second)
        let snapshot = Snapshot(first: Self.start + 50 * Self.second, position: Self.start + 75 * Self.second)
        #expect(ReplayProgress.fraction(snapshot, span: open) == 0.5)
    }

    @Test("the time left is the time spent scaled by what is left")
    func remaining() {
        #expect(ReplayProgress.remaining(fraction: 0.25, elapsed: 10) == 30)
        #expect(ReplayProgress.remaining(fraction: 0.5, elapsed: 4) == 4)
        #expect(ReplayProgress.remaining(fraction: 1, elapsed: 4) == 0)
        #expect(ReplayProgress.remaining(fraction: 0, elapsed: 10) == nil)
        #expect(ReplayProgress.remaining(fraction: 0.5, elapsed: 0.1) == nil)
    }

    @Test(
        "counts, rates and clocks for people",
        arguments: [
            (ReplayProgress.count(0), "0"),
            (ReplayProgress.count(999), "999"),
            (ReplayProgress.count(1000), "1,000"),
            (ReplayProgress.count(1_234_567), "1,234,567"),
            (ReplayProgress.rate(850.4), "850/s"),
            (ReplayProgress.rate(4140), "4.1k/s"),
            (ReplayProgress.rate(412_300), "412k/s"),
            (ReplayProgress.rate(1_250_000), "1.3M/s"),
            (ReplayProgress.clock(4.2), "0:05"),
            (ReplayProgress.clock(751), "12:31"),
            (ReplayProgress.clock(3723), "1:02:03"),
        ]
    )
    func formats(text: String, expected: String) {
        #expect(text == expected)
    }

    @Test("a progress line: bar, percentage, counts, rate and ETA")
    func line() {
        let span = Span(start: Self.start, end: Self.start + 100 * Self.second)
        let snapshot = Snapshot(
            entries: 812_345,
            decisions: 4321,
            learned: 4100,
            failed: 0,
            first: Self.start,
            position: Self.start + 45 * Self.second
        )
        let line = ReplayProgress.line(snapshot, span: span, elapsed: 2, dryRun: false, width: 140)
        #expect(
            line
                == "[#############.................]   45%  812,345 entries  4,321 decisions  4,100 learned  406k/s  ETA 0:03"
        )
        let dry = ReplayProgress.line(snapshot, span: span, elapsed: 2, dryRun: true, width: 140)
        #expect(!dry.contains("learned"))
        #expect(dry.hasSuffix("812,345 entries  4,321 decisions  406k/s  ETA 0:03"))
        var failing = snapshot
        failing.failed = 3
        #expect(ReplayProgress.line(failing, span: span, elapsed: 2, dryRun: false, width: 140).contains("3 failed"))
    }

    @Test("before there is anything to go by the ETA is blank; without an end, the time read stands in")
    func unknowns() {
        let span = Span(start: Self.start, end: Self.start + 100 * Self.second)
        let early = ReplayProgress.line(
            Snapshot(entries: 10, position: Self.start),
            span: span,
            elapsed: 0.1,
            dryRun: true,
            width: 120
        )
        #expect(early.contains("ETA -:--"))
        #expect(early.contains("  0%"))
        let stream = ReplayProgress.line(
            Snapshot(entries: 10, first: Self.start, position: Self.start),
            span: Span(),
            elapsed: 1,
            dryRun: true,
            width: 120
        )
        #expect(!stream.contains("%") && !stream.contains("ETA") && !stream.contains("["))
        #expect(stream.contains("at " + TimeSpecification.format(Self.start)))
    }

    @Test("the line never fills the terminal's last column", arguments: [8, 20, 40, 60, 80, 100, 200])
    func fits(width: Int) {
        let span = Span(start: Self.start, end: Self.start + 100 * Self.second)
        let snapshot = Snapshot(
            entries: 12_345_678,
            decisions: 1_234_567,
            learned: 1_000_000,
            failed: 12,
            position: Self.start + 33 * Self.second
        )
        let line = ReplayProgress.line(snapshot, span: span, elapsed: 30, dryRun: false, width: width)
        #expect(line.count <= width - 1, "\(line)")
        #expect(line.contains("12,345,678") || width < 30)
        // A bar only where it has room.
        #expect(line.hasPrefix("[") == (width >= 200))
    }

    @Test("the counters the scan writes are what the display reads, from another thread")
    func counters() async {
        let progress = ReplayProgress()
        #expect(progress.snapshot == Snapshot())
        let done = await withCheckedContinuation { continuation in
            Thread {
                for count in 1...10_000 {
                    progress.read(count, realtime: Self.start + UInt64(count))
                    if count % 10 == 0 { progress.decided(count / 10) }
                }
                continuation.resume(returning: true)
            }.start()
        }
        #expect(done)
        progress.recorded(.learned)
        progress.recorded(.learned)
        progress.recorded(.failed)
        progress.recorded(.gone)
        progress.recorded(nil)
        let snapshot = progress.snapshot
        #expect(snapshot.entries == 10_000)
        #expect(snapshot.decisions == 1000)
        #expect(snapshot.learned == 2 && snapshot.failed == 1)
        #expect(snapshot.first == Self.start + 1)
        #expect(snapshot.position == Self.start + 10_000)
    }

    @Test("a journal's span is the time of its first and last matching entry within the bounds", .requiresJournalRemote)
    func journalSpan() async throws {
        let fixture = try #require(Bundle.module.url(forResource: "Fixtures/testbed-mail-log", withExtension: "export"))
        let directory = try await JournalFixture.make(exportText: Array(try Data(contentsOf: fixture)))
        defer { JournalFixture.cleanUp(directory) }
        let match = try JournalMatch([["_SYSTEMD_UNIT=dovecot.service"]])
        let whole = Span(of: .journal(.directory(directory)), match: match)
        #expect(whole.start == 1_795_226_631_376_432)
        #expect(whole.end == 1_795_226_637_394_143)
        let bounded = Span(
            of: .journal(.directory(directory), since: 1_795_226_632_000_000, until: 1_795_226_636_000_000),
            match: match
        )
        let start = try #require(bounded.start)
        let end = try #require(bounded.end)
        #expect(start >= 1_795_226_632_000_000 && end <= 1_795_226_636_000_000 && start < end)
        let nothing = Span(
            of: .journal(.directory(directory)),
            match: try JournalMatch([["_SYSTEMD_UNIT=none.service"]])
        )
        #expect(nothing == Span())
        #expect(Span(of: .stream(fileDescriptor: 0, format: nil, since: 5, until: 9), match: match) == Span(end: 9))
    }
}
