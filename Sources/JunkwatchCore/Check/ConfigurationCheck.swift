import Foundation
import SystemdJournal

/// What `junkwatch check-config` checks, in order: the configuration file, each enabled filter,
/// the journal (dovecot's entries of the last day), doveadm, the state directory and each
/// learner. Each check is one ``CheckItem`` or more; a failed configuration or filter stops the
/// checks that need it.
///
/// Nothing is learned, fetched or written: doveadm looks up a user that does not exist, the
/// learners are asked whether they answer (``Learner/check()``), and the ledger is opened only
/// when it exists already.
public struct ConfigurationCheck: Sendable {
    /// The configuration file.
    public var configurationPath: String
    /// Whether a missing configuration file means the defaults (the default path) rather than an
    /// error (`--config`).
    public var defaultsIfMissing: Bool
    /// The directories searched for filters under a configuration, first match wins: by default
    /// its `filters.paths`; the program adds `--filters` and the filters installed with it.
    public var filterPaths: @Sendable (Configuration) -> [String]
    /// The time the journal check counts back from, in microseconds since the epoch.
    public var now: UInt64

    /// Creates a check of the configuration at `configurationPath`; `now` defaults to the clock.
    public init(
        configurationPath: String = Configuration.defaultPath,
        defaultsIfMissing: Bool = false,
        filterPaths: @escaping @Sendable (Configuration) -> [String] = { $0.filters.paths },
        now: UInt64? = nil
    ) {
        self.configurationPath = configurationPath
        self.defaultsIfMissing = defaultsIfMissing
        self.filterPaths = filterPaths
        self.now = now ?? UInt64(Date().timeIntervalSince1970 * 1_000_000)
    }

    /// Runs every check.
    public func run() async -> [CheckItem] {
        let (configuration, item) = loadConfiguration()
        var items = [item]
        guard let configuration else { return items }
        let (filters, filterItems) = checkFilters(configuration, paths: filterPaths(configuration))
        items += filterItems
        if let filters {
            let source = configuration.journal.source
            let now = self.now
            items.append(
                await onThreadOfItsOwn {
                    Self.checkJournal(source, filters: filters, settings: configuration.classify, now: now)
                }
            )
        }
        items.append(await checkDoveadm(configuration.doveadm))
        items.append(checkState(configuration.state.directory))
        items += await checkLearners(configuration)
        return items
    }

    // MARK: - The configuration file

    /// Loads the configuration file: the configuration and an `ok` item, or `nil` and a failure
    /// naming the file and the key.
    public func loadConfiguration() -> (Configuration?, CheckItem) {
        let path = configurationPath
        if defaultsIfMissing && !FileManager.default.fileExists(atPath: path) {
            return (
                Configuration(), CheckItem(.ok, "configuration", "no file at \(path): every setting has its default")
            )
        }
        do {
            let configuration = try Configuration.load(path: path)
            return (configuration, CheckItem(.ok, "configuration", path))
        } catch {
            let fix: String
            if let key = error.key, key.first?.isNumber == true {
                fix = "correct the TOML syntax at line:column \(key) of \(error.file)"
            } else if let key = error.key {
                fix =
                    "correct \(key) in \(error.file); units/junkwatch.toml.example documents every key and its default"
            } else {
                fix = "make \(error.file) a readable TOML file, or point --config at one"
            }
            return (nil, CheckItem(.fail, "configuration", error.description, fix: fix))
        }
    }

    // MARK: - Filters

    /// Finds and loads each enabled filter: the filter set, or `nil` when one fails, and an item
    /// per filter.
    public func checkFilters(_ configuration: Configuration, paths: [String]) -> (FilterSet?, [CheckItem]) {
        var filters: [Filter] = []
        var items: [CheckItem] = []
        for name in configuration.filters.enabled {
            let subject = "filter \(name)"
            guard let file = FilterSet.locate(name, in: paths) else {
                let places = paths.isEmpty ? "no directory (filters.paths is empty)" : paths.joined(separator: ", ")
                items.append(
                    CheckItem(
                        .fail,
                        subject,
                        "\(configurationPath): filters.enabled: no filter \"\(name)\" (\(name).toml) in \(places)",
                        fix:
                            "correct filters.enabled in \(configurationPath) (shipped: dovecot-mail-log for dovecot 2.3, "
                            + "dovecot-2.4-mail-log), or put \(name).toml in one of filters.paths"
                    )
                )
                continue
            }
            do {
                let filter = try Filter.load(file: file)
                filters.append(filter)
                let rules = PlainText.plural(filter.rules.count, "rule")
                items.append(
                    CheckItem(.ok, subject, "\(file): \(rules) on \(filter.field), match \(filter.match.description)")
                )
            } catch {
                items.append(
                    CheckItem(
                        .fail,
                        subject,
                        error.description,
                        fix: "correct \(error.file); `junkwatch test-filter` shows what a filter makes of log lines"
                    )
                )
            }
        }
        guard items.allSatisfy({ $0.status == .ok }) else { return (nil, items) }
        return (FilterSet(filters), items)
    }
}
