public import SystemdJournal

extension EntryScanner {
    /// Runs the filters over the entry `reader` is on: the one field the filters read when they
    /// all read the same one, else the whole entry. An event carries the entry's cursor and time.
    /// - Throws: a `JournalError` when the entry cannot be read.
    public static func scanCurrent(_ reader: JournalReader, filters: FilterSet) throws -> ScannedLine {
        let realtime = try reader.realtime()
        let fields = Set(filters.filters.map(\.field))
        var scanned: ScannedLine
        if fields.count == 1, let field = fields.first {
            scanned = try reader.withValue(of: field) { value in
                guard let value else {
                    return ScannedLine(outcome: .unmatched(.noLine(field: field)), realtime: realtime)
                }
                return ScannedLine(outcome: filters.parse(line: value, realtime: realtime), realtime: realtime)
            }
        } else {
            scanned = ScannedLine(outcome: filters.parse(try reader.entry()), realtime: realtime)
        }
        if case .event(var event) = scanned.outcome, event.cursor == nil {
            event.cursor = try reader.cursor()
            scanned.outcome = .event(event)
        }
        return scanned
    }
}
