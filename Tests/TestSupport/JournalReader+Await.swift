public import SystemdJournal
public import Testing

extension JournalReader {
    /// The next `count` entries that match, waiting up to `timeout` for journald to store them:
    /// it writes asynchronously, a moment after a send returns.
    /// - Throws: when fewer came in time, recorded as an issue at `sourceLocation`.
    public func awaitEntries(
        _ count: Int,
        within timeout: Duration = .seconds(10),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [JournalEntry] {
        try await awaitEntries(count, as: { $0 }, within: timeout, sourceLocation: sourceLocation)
    }

    /// The next `count` entries that match and that `transform` makes something of (it returns
    /// `nil` for the rest, which are passed over), waiting up to `timeout` for journald to store them.
    /// - Throws: when fewer came in time, recorded as an issue at `sourceLocation`.
    public func awaitEntries<Value>(
        _ count: Int,
        as transform: (JournalEntry) throws -> Value?,
        within timeout: Duration = .seconds(10),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [Value] {
        var values: [Value] = []
        let deadline = ContinuousClock.now + timeout
        while values.count < count {
            if try next() {
                if let value = try transform(try entry()) { values.append(value) }
                continue
            }
            try #require(
                ContinuousClock.now < deadline,
                "only \(values.count) of \(count) entries reached the journal",
                sourceLocation: sourceLocation
            )
            _ = try await waitForChange(timeout: .milliseconds(200))
        }
        return values
    }
}
