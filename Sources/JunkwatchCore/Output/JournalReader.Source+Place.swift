public import SystemdJournal

extension JournalReader.Source {
    /// Where the source reads, for people: "the local journal", "the journal in /var/log/journal/remote".
    public var place: String {
        switch self {
        case .local: "the local journal"
        case .directory(let path): "the journal in \(path)"
        case .files(let paths): "the journal files \(paths.joined(separator: ", "))"
        case .namespace(let name): "journald namespace \(name)"
        }
    }
}
