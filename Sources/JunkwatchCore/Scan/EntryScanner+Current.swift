import SystemdJournal

extension EntryScanner {
    /// What the filters make of the entry `reader` is on, whose time is `realtime`: the one
    /// step of a replay's scan and of the service's follower, so that they cannot disagree.
    ///
    /// When the filters read one field under one match (`FilterSet.lineField`), the reader's
    /// match already selected the entry for all of them: only that field is read, in place.
    /// Otherwise the whole entry is, and each filter whose match it satisfies tries its rules.
    /// An event carries the entry's cursor and time.
    /// - Parameter keepLines: whether the result carries the line's text (costs a copy).
    /// - Throws: a `JournalError` when the entry cannot be read.
    static func scanCurrent(
        _ reader: JournalReader,
        filters: FilterSet,
        realtime: UInt64,
        keepLines: Bool = false
    ) throws -> ScannedLine {
        guard let field = filters.lineField else {
            let entry = try reader.entry()
            let line = keepLines ? filters.filters.first.flatMap { entry.text($0.field) } : nil
            return ScannedLine(outcome: filters.parse(entry), line: line, realtime: realtime)
        }
        var scanned = try reader.withValue(of: field) { value in
            guard let value else {
                return ScannedLine(outcome: .unmatched(.noLine(field: field)), realtime: realtime)
            }
            let text = keepLines ? String(decoding: value, as: UTF8.self) : nil
            return ScannedLine(outcome: filters.parse(line: value, realtime: realtime), line: text, realtime: realtime)
        }
        // The cursor costs an allocation: only events need it.
        if case .event(var event) = scanned.outcome {
            event.cursor = try reader.cursor()
            scanned.outcome = .event(event)
        }
        return scanned
    }
}
