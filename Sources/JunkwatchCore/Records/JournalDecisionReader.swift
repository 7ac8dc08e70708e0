public import SystemdJournal

/// Reads junkwatch's own decision records and notices back from a journal or a
/// `journalctl -o export`/`-o json` stream: what `junkwatch stats` counts.
public struct JournalDecisionReader {
    /// One entry junkwatch wrote.
    public enum Item: Sendable {
        /// A decision record, and when it was written (microseconds since the epoch).
        case record(DecisionRecord, realtime: UInt64?)
        /// A notice, and when it was written.
        case notice(JournalNotice, realtime: UInt64?)
    }

    /// Where to read: a journal or a stream; plain lines hold no records.
    public let input: JournalInput
    /// Only this user's records, when set; notices are read either way.
    public let user: String?
    /// How many matching entries were read, records and notices, decodable or not.
    public private(set) var entriesRead = 0

    /// A reader of `input`, for one `user` or all.
    public init(input: JournalInput, user: String? = nil) {
        self.input = input
        self.user = user
    }

    /// The journal match: junkwatch's entries with one of the five outcome `MESSAGE_ID`s (and
    /// the user's `JUNKWATCH_USER`), or one of the notices'.
    public static func match(user: String? = nil) throws -> JournalMatch {
        let identifier = "SYSLOG_IDENTIFIER=" + JunkwatchField.syslogIdentifier
        var records = [identifier] + JournalMessageID.decisions.map(\.matchTerm)
        if let user { records.append(JunkwatchField.user + "=" + user) }
        return try JournalMatch([records, [identifier] + JournalMessageID.notices.map(\.matchTerm)])
    }

    /// Reads every record and notice in the input's time range, in journal order, calling `body`
    /// with each. Blocks: run it off Swift's cooperative threads.
    /// - Throws: `JournalError` from the journal or the stream; what `body` throws; and
    ///   `JournalDecisionReaderError` for an input of plain lines.
    public mutating func read(_ body: (Item) throws -> Void) throws {
        switch input {
        case .journal(let source, let since, let until):
            let reader = try JournalReader(source)
            try reader.apply(Self.match(user: user))
            if let since { try reader.seek(realtime: since) } else { try reader.seekHead() }
            while try reader.next() {
                let realtime = try reader.realtime()
                if let until, realtime > until { break }
                entriesRead += 1
                try decode(try reader.entry(), realtime: realtime, body)
            }
        case .stream(let descriptor, let format, let since, let until):
            var decoder = JournalStreamDecoder(fileDescriptor: descriptor, format: format)
            let decisions = Set(JournalMessageID.decisions.map(\.rawValue))
            let notices = Set(JournalMessageID.notices.map(\.rawValue))
            while let entry = try decoder.next() {
                // The journal applies the match itself; a stream has to be sifted here.
                guard entry.text("SYSLOG_IDENTIFIER") == JunkwatchField.syslogIdentifier,
                    let id = entry.text("MESSAGE_ID"), decisions.contains(id) || notices.contains(id)
                else { continue }
                if let realtime = entry.realtime {
                    if let since, realtime < since { continue }
                    if let until, realtime > until { continue }
                }
                if let user, decisions.contains(id), entry.text(JunkwatchField.user) != user { continue }
                entriesRead += 1
                try decode(entry, realtime: entry.realtime, body)
            }
        case .lines:
            throw JournalDecisionReaderError(
                description: "plain log lines hold no decision records: read a journal, or a "
                    + "journalctl -o export or -o json stream"
            )
        }
    }

    private func decode(_ entry: JournalEntry, realtime: UInt64?, _ body: (Item) throws -> Void) throws {
        if let record = DecisionRecord(journalEntry: entry) {
            try body(.record(record, realtime: realtime))
        } else if let notice = JournalNotice(journalEntry: entry) {
            try body(.notice(notice, realtime: realtime))
        }
    }
}

/// An input that cannot hold junkwatch's records.
public struct JournalDecisionReaderError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, for the user.
    public var description: String
}
