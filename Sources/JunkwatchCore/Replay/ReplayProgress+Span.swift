public import SystemdJournal

extension ReplayProgress.Span {
    /// The span a replay of `input` reads: for a journal, the times of the first and the last
    /// entry `match` selects between the input's bounds, looked up before the scan (a few seeks,
    /// no reading through); for a stream, the first entry read and `until`, since its end is not
    /// known before it comes.
    ///
    /// A journal that cannot be opened or holds no entry gives an empty span: the scan reports
    /// the error itself, and the display shows no ETA.
    public init(of input: JournalInput, match: JournalMatch) {
        switch input {
        case .journal(let source, let since, let until):
            self.init()
            guard let reader = try? JournalReader(source), (try? reader.apply(match)) != nil else { return }
            do {
                if let since { try reader.seek(realtime: since) } else { try reader.seekHead() }
                if try reader.next() { start = try reader.realtime() }
                if let until {
                    try reader.seek(realtime: until)
                    if try reader.previous() { end = try reader.realtime() }
                } else {
                    // seekTail stands on the last entry, if there is one.
                    try reader.seekTail()
                    let last = try reader.realtime()
                    if let start, last >= start { end = last }
                }
            } catch {
                self = Self()
            }
        case .stream(_, _, _, let until):
            self.init(start: nil, end: until)
        case .lines:
            self.init()
        }
    }
}
