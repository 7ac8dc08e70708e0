import ArgumentParser
import Foundation
import JunkwatchCore

/// `--config` and `--filters`, shared by every subcommand that reads the configuration.
struct ConfigurationOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The configuration file (default \(Configuration.defaultPath); all defaults when it does not exist).",
            valueName: "path"
        )
    )
    var config: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A directory searched for filters before the configured ones; repeatable.",
            valueName: "directory"
        )
    )
    var filters: [String] = []

    /// The configuration: `--config` must exist; the default path may be absent.
    func load() throws -> Configuration {
        if let config { return try Configuration.load(path: config) }
        return try Configuration.load(path: Configuration.defaultPath, defaultsIfMissing: true)
    }

    /// Where filters are looked up, first match wins: `--filters`, the configured paths, the
    /// filters installed beside the program and, for a program run from its build tree, the
    /// repository's `Filters` folder.
    func filterPaths(_ configuration: Configuration) -> [String] {
        var paths = filters + configuration.filters.paths
        if let installed = Self.installedFilters() { paths.append(installed) }
        if let tree = Self.sourceTreeFilters() { paths.append(tree) }
        return paths
    }

    /// The enabled filters, looked up in ``filterPaths(_:)``.
    func filterSet(_ configuration: Configuration) throws -> FilterSet {
        try FilterSet.load(paths: filterPaths(configuration), enabled: configuration.filters.enabled)
    }

    /// The directory of the running executable, symbolic links resolved. `/proc/self/exe`
    /// rather than `argv[0]`, which is a bare name when the program was found through `PATH`.
    private static var executableDirectory: URL {
        let path =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// `PREFIX/share/junkwatch/filters` for a program installed as `PREFIX/bin/junkwatch`
    /// (`scripts/install`), when it exists: a `/usr/local` install finds its filters without
    /// a configured path.
    private static func installedFilters() -> String? {
        let candidate = executableDirectory.deletingLastPathComponent()
            .appendingPathComponent("share/junkwatch/filters").standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        return candidate.path
    }

    /// `Filters/` of the source tree the executable was built in (`.build/<config>/junkwatch`),
    /// so that `swift run junkwatch` works before anything is installed.
    private static func sourceTreeFilters() -> String? {
        var directory = executableDirectory
        for _ in 0..<5 {
            let candidate = directory.appendingPathComponent("Filters")
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
                FileManager.default.fileExists(atPath: candidate.path)
            {
                return candidate.path
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
