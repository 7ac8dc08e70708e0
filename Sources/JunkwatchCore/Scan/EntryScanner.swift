import SystemdJournal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads entries or lines from a `JournalInput` and runs them through a filter set, in order.
///
/// Reading is synchronous and blocking (libsystemd and pipes): run it off Swift's cooperative
/// threads for long inputs. A journal whose filters all read one field under one match
/// (`FilterSet.lineField`) is read ahead on a thread of its own (`readsAhead`); `run`'s body
/// still sees every entry on the calling thread, in journal order.
public struct EntryScanner {
    /// The input.
    public let input: JournalInput
    /// The filters that turn lines into events.
    public let filters: FilterSet
    /// Whether each `ScannedLine` carries its text (costs a copy per line).
    public var keepLines: Bool
    /// Whether a journal is read on a second thread, a few thousand entries ahead of `run`'s
    /// body, when the filters allow it (one field, one match). Off, reading happens in between
    /// calls of the body, on the calling thread. The entries and their order are the same.
    public var readsAhead = true

    /// Entries read so far: journal entries, stream entries or lines.
    public private(set) var entriesRead = 0
    /// Batches that the read-ahead thread parsed itself, the scanner being behind (for tests).
    private(set) var batchesParsedAhead = 0

    public init(input: JournalInput, filters: FilterSet, keepLines: Bool = false) {
        self.input = input
        self.filters = filters
        self.keepLines = keepLines
    }

    /// Reads the whole input, calling `body` for each entry or line; `body` returns `false` to stop.
    /// - Throws: `JournalError` for an unreadable journal or a malformed stream, with where it broke;
    ///   whatever `body` throws.
    public mutating func run(_ body: (ScannedLine) throws -> Bool) throws {
        switch input {
        case .journal(let source, let since, let until):
            try scanJournal(source, since: since, until: until, body)
        case .stream(let descriptor, let format, let since, let until):
            var decoder = JournalStreamDecoder(fileDescriptor: descriptor, format: format)
            while let entry = try decoder.next() {
                if let realtime = entry.realtime {
                    if let since, realtime < since { continue }
                    if let until, realtime > until { break }
                }
                entriesRead += 1
                let outcome = filters.parse(entry)
                let line = keepLines ? filters.filters.first.flatMap { entry.text($0.field) } : nil
                guard try body(ScannedLine(outcome: outcome, line: line, realtime: entry.realtime)) else { return }
            }
        case .lines(let descriptor):
            var reader = LineReader(fileDescriptor: descriptor)
            while let line = try reader.next() {
                entriesRead += 1
                let outcome = line.withUnsafeBytes { filters.parse(line: $0) }
                let text = keepLines ? String(decoding: line, as: UTF8.self) : nil
                guard try body(ScannedLine(outcome: outcome, line: text, realtime: nil)) else { return }
            }
        }
    }

    private mutating func scanJournal(
        _ source: JournalReader.Source,
        since: UInt64?,
        until: UInt64?,
        _ body: (ScannedLine) throws -> Bool
    ) throws {
        if readsAhead, let field = filters.lineField {
            let plan = JournalReadAhead.Plan(
                source: source,
                match: filters.journalMatch,
                since: since,
                until: until,
                field: field,
                filters: filters,
                keepLines: keepLines
            )
            return try scanReadingAhead(plan, body)
        }
        let reader = try JournalReader(source)
        try reader.apply(filters.journalMatch)
        if let since { try reader.seek(realtime: since) } else { try reader.seekHead() }
        while try reader.next() {
            let realtime = try reader.realtime()
            if let until, realtime > until { break }
            entriesRead += 1
            let scanned = try Self.scanCurrent(reader, filters: filters, realtime: realtime, keepLines: keepLines)
            guard try body(scanned) else { return }
        }
    }

    /// `scanJournal` with the reading on a thread of its own (`JournalReadAhead`): the same
    /// lines, events and cursors, made from the bytes the reading thread copied, here or there.
    private mutating func scanReadingAhead(_ plan: JournalReadAhead.Plan, _ body: (ScannedLine) throws -> Bool) throws {
        let batches = (0..<JournalReadAhead.batchesInFlight).map { _ in JournalReadAhead.Batch() }
        try BatchHandOff.run(batches: batches) { handOff in
            try JournalReadAhead.read(plan, into: handOff)
        } consume: { batch in
            try batch.bytes.withUnsafeBytes { bytes in
                let parsed = !batch.outcomes.isEmpty
                if parsed { batchesParsedAhead += 1 }
                for (index, entry) in batch.entries.enumerated() {
                    entriesRead += 1
                    var line: String?
                    if keepLines, case .bytes(let range) = entry.line {
                        line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
                    }
                    let scanned = ScannedLine(
                        outcome: parsed
                            ? batch.takeOutcome(at: index) : JournalReadAhead.outcome(of: entry, in: bytes, plan),
                        line: line,
                        realtime: entry.realtime
                    )
                    guard try body(scanned) else { return false }
                }
                return true
            }
        }
    }
}

/// Splits a byte stream into lines, without holding more than one line and one chunk.
struct LineReader {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    private var offset = 0

    init(fileDescriptor: Int32) {
        descriptor = fileDescriptor
    }

    /// The next line without its newline, or `nil` at the end.
    mutating func next() throws -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                return line
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw JournalError.read(errno: errno, detail: "the input")
            }
            if count == 0 { finished = true } else { buffer += chunk[..<count] }
            offset += count
        }
    }
}
