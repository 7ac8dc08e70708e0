public import SystemdJournal

/// Where journal entries go: journald through `JournalWriter`, or a fake in unit tests.
public protocol JournalSink: Sendable {
    /// Sends one entry.
    /// - Throws: when the entry cannot be delivered.
    func send(_ fields: [JournalField]) throws
}

extension JournalWriter: JournalSink {}
