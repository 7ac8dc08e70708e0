import Foundation
public import SystemdJournal

/// The filters junkwatch runs, in order: the first filter with a matching rule reads a line.
public struct FilterSet: Sendable {
    /// The filters, tried in order.
    public let filters: [Filter]
    /// The filters' hot data, as objects: the per-line loop copies references, not structs.
    let engine: ParseEngine
    /// The one field every filter reads, when they all read it under the same journal match:
    /// the reader's match then selects an entry for every filter or none, and that field is
    /// all a scan needs of it. `nil` otherwise: each entry is read whole, and each filter
    /// tries its rules on the entries its own match selects.
    let lineField: String?

    /// Lines longer than this are not matched: no dovecot mail_log line comes close (mailbox
    /// names are cut at 64 bytes and headers at 80), and it bounds the work a hostile line costs.
    public static let maximumLineLength = 16 * 1024

    /// Creates a set from filters.
    public init(_ filters: [Filter]) {
        self.filters = filters
        self.engine = ParseEngine(filters)
        let fields = Set(filters.map(\.field))
        let matches = Set(filters.map(\.match))
        self.lineField = fields.count == 1 && matches.count == 1 ? fields.first : nil
    }

    /// Loads the filters named `enabled`, each from the first of `paths` that has `<name>.toml`,
    /// so that a site's `/etc/junkwatch/filters.d/x.toml` replaces a shipped `x.toml`.
    /// - Throws: `FilterError` for a filter that is missing or broken.
    public static func load(paths: [String], enabled: [String]) throws(FilterError) -> FilterSet {
        var filters: [Filter] = []
        for name in enabled {
            guard let file = locate(name, in: paths) else {
                let places = paths.isEmpty ? "(no filter paths configured)" : paths.joined(separator: ", ")
                throw FilterError(file: "\(name).toml", problem: "no such filter in \(places)")
            }
            filters.append(try Filter.load(file: file))
        }
        return FilterSet(filters)
    }

    /// The file of the filter `name`: `<name>.toml` in the first of `paths` that has one.
    public static func locate(_ name: String, in paths: [String]) -> String? {
        paths.lazy.map { URL(fileURLWithPath: $0).appendingPathComponent("\(name).toml").path }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The journal entries any filter reads: the filters' match groups, joined.
    public var journalMatch: JournalMatch {
        var groups: [[String]] = []
        for filter in filters {
            // A filter without match groups reads everything, and so does the set.
            if filter.match.groups.isEmpty { return .all }
            for group in filter.match.groups where !groups.contains(group) { groups.append(group) }
        }
        return (try? JournalMatch(groups)) ?? .all
    }
}

/// What the per-line loop needs of a filter set.
final class ParseEngine: Sendable {
    final class CompiledFilter: Sendable {
        let name: String
        let field: String
        let match: EntryMatch
        let rules: [Filter.Rule]

        init(_ filter: Filter) {
            name = filter.name
            field = filter.field
            match = EntryMatch(filter.match)
            rules = filter.rules
        }
    }

    let filters: [CompiledFilter]

    init(_ filters: [Filter]) {
        self.filters = filters.map(CompiledFilter.init)
    }
}
