import SystemdJournal

/// Reads a journal ahead of `EntryScanner`, on a thread of its own, a batch of entries at a time.
///
/// The reading thread does what needs the `sd_journal` handle, which libsystemd allows on one
/// thread only: step to each entry, take its time, copy its log line, and, when the line could
/// make an event, copy its cursor. The scanner's thread parses, classifies and writes one
/// batch while the next ones are read.
///
/// Parsing a line depends on nothing but the entry, so either thread can do it, with the same
/// result. When the scanner falls behind (a batch it has not taken yet is waiting), the reading
/// thread parses the batch it has just filled rather than wait: the two threads then share the
/// work, whichever side is slower.
enum JournalReadAhead {
    /// Entries in a full batch: enough that the hand-off's lock is taken rarely, few enough
    /// that the first records come out at once.
    static let entriesPerBatch = 4096
    /// A batch is full at this many bytes too, whatever the number of entries.
    static let bytesPerBatch = 1 << 20
    /// Batches in the pool: one being read, one being scanned, one ready for either.
    static let batchesInFlight = 3

    /// What to read, and what the reading thread needs to know of the filters.
    struct Plan: Sendable {
        var source: JournalReader.Source
        var match: JournalMatch
        var since: UInt64?
        var until: UInt64?
        /// The one field every filter reads.
        var field: String
        var filters: FilterSet
        /// Whether lines too long to match are copied anyway, for the scanner to show them.
        var keepLines: Bool
    }

    /// A batch of entries as read: their lines and cursors in one buffer, so that a batch costs
    /// no allocation once its buffers have grown.
    ///
    /// `@unchecked Sendable`: a batch has one owner at a time, the reading thread or the
    /// scanner's, and passes between them through `BatchHandOff`, under its lock.
    final class Batch: @unchecked Sendable {
        /// One entry: its time, where its line is, and where its cursor is.
        struct Entry {
            /// The entry's log line.
            enum Line {
                /// The entry has no such field.
                case missing
                /// The line's bytes, in `bytes`.
                case bytes(Range<Int>)
                /// A line longer than `FilterSet.maximumLineLength`, not copied: it cannot match.
                case tooLong(Int)
            }

            var realtime: UInt64
            var line: Line
            /// The cursor's bytes in `bytes`; empty exactly when the line cannot make an event
            /// (`FilterSet.mayMakeEvent`), which is the only thing a cursor is needed for.
            var cursor: Range<Int>
        }

        private(set) var bytes: [UInt8] = []
        private(set) var entries: [Entry] = []
        /// What the filters made of each entry, when the reading thread parsed the batch; empty
        /// when it left that to the scanner.
        private(set) var outcomes: [ParseOutcome] = []

        var isFull: Bool { entries.count >= JournalReadAhead.entriesPerBatch || bytes.count >= bytesPerBatch }

        /// Empties the batch, keeping its buffers unless a giant line blew one up.
        func removeAll() {
            entries.removeAll(keepingCapacity: true)
            outcomes.removeAll(keepingCapacity: true)
            if bytes.capacity > 4 * bytesPerBatch {
                bytes = []
            } else {
                bytes.removeAll(keepingCapacity: true)
            }
        }

        /// Copies `value` to the end of `bytes` and returns where it went.
        func append(_ value: UnsafeRawBufferPointer) -> Range<Int> {
            let start = bytes.count
            bytes.append(contentsOf: value)
            return start..<bytes.count
        }

        func append(_ entry: Entry) {
            entries.append(entry)
        }

        /// Moves the outcome of entry `index` out of the batch: a copy would retain every string
        /// of an event, only for the batch to release them when it is reused.
        func takeOutcome(at index: Int) -> ParseOutcome {
            var taken = ParseOutcome.unmatched(.noRule)
            swap(&taken, &outcomes[index])
            return taken
        }

        /// Parses every entry into `outcomes`.
        func parse(_ plan: Plan) {
            outcomes.reserveCapacity(entries.count)
            bytes.withUnsafeBytes { bytes in
                for entry in entries { outcomes.append(JournalReadAhead.outcome(of: entry, in: bytes, plan)) }
            }
        }
    }

    /// What the filters make of `entry`, whose line and cursor are in `bytes`: the same on either
    /// thread, and the same as `EntryScanner` reading in place makes of it.
    static func outcome(of entry: Batch.Entry, in bytes: UnsafeRawBufferPointer, _ plan: Plan) -> ParseOutcome {
        switch entry.line {
        case .missing:
            return .unmatched(.noLine(field: plan.field))
        case .tooLong(let count):
            return .unmatched(.tooLong(bytes: count))
        case .bytes(let range):
            // No cursor: `mayMakeEvent` found the line too long or no prefilter in it. Say what
            // `parse(line:)` would, without searching the prefilters a second time.
            if entry.cursor.isEmpty {
                return .unmatched(range.count > FilterSet.maximumLineLength ? .tooLong(bytes: range.count) : .noRule)
            }
            let line = UnsafeRawBufferPointer(rebasing: bytes[range])
            let cursor = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[entry.cursor]), as: UTF8.self)
            return plan.filters.parse(line: line, cursor: cursor, realtime: entry.realtime)
        }
    }

    /// The reading thread's work: opens the journal, fills batches until the end of the journal
    /// (or `until`), and sends each to the scanner.
    /// - Throws: `JournalError` for a journal that cannot be opened or read; the batch being
    ///   filled is sent first, so that the scanner sees every entry before the failure.
    static func read(_ plan: Plan, into handOff: BatchHandOff<Batch>) throws {
        let reader = try JournalReader(plan.source)
        try reader.apply(plan.match)
        if let since = plan.since { try reader.seek(realtime: since) } else { try reader.seekHead() }
        var atEnd = false
        while !atEnd, let batch = handOff.emptyBatch() {
            batch.removeAll()
            do {
                atEnd = try fill(batch, from: reader, plan)
            } catch {
                handOff.send(batch)
                throw error
            }
            if handOff.backlog > 0 { batch.parse(plan) }
            handOff.send(batch)
        }
    }

    /// Reads entries into `batch` until it is full; `true` when the journal (or `until`) ended.
    private static func fill(_ batch: Batch, from reader: JournalReader, _ plan: Plan) throws -> Bool {
        while !batch.isFull {
            guard try reader.next() else { return true }
            let realtime = try reader.realtime()
            if let until = plan.until, realtime > until { return true }
            var entry = Batch.Entry(realtime: realtime, line: .missing, cursor: 0..<0)
            let needsCursor = try reader.withValue(of: plan.field) { value in
                guard let value else { return false }
                if value.count > FilterSet.maximumLineLength && !plan.keepLines {
                    entry.line = .tooLong(value.count)
                    return false
                }
                entry.line = .bytes(batch.append(value))
                return plan.filters.mayMakeEvent(line: value)
            }
            if needsCursor {
                // The cursor costs libsystemd an allocation and a format: only for lines that
                // may become events, the only thing it is needed for.
                entry.cursor = try reader.withCursor { batch.append($0) }
            }
            batch.append(entry)
        }
        return false
    }
}
