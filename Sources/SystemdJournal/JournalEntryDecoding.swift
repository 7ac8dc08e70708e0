/// A decoder that turns a stream of journal entries into `JournalEntry` values, one at a time.
public protocol JournalEntryDecoding {
    /// The next entry, or `nil` at the end of the stream.
    mutating func next() throws(JournalError) -> JournalEntry?
}

extension JournalEntryDecoding {
    /// Calls `body` with every entry left in the stream, in order.
    /// - Throws: the decoder's `JournalError`, or what `body` throws.
    public mutating func forEach(_ body: (JournalEntry) throws -> Void) throws {
        while let entry = try next() { try body(entry) }
    }

    /// Every entry left in the stream; for small streams and tests, as it holds them all.
    public mutating func decodeAll() throws(JournalError) -> [JournalEntry] {
        var entries: [JournalEntry] = []
        while let entry = try next() { entries.append(entry) }
        return entries
    }
}
