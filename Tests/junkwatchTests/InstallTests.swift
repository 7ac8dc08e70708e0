import Foundation
import TestSupport
import Testing

/// `scripts/install` staged into a temporary `--destdir`, and the unit it installs: where every
/// file lands, that `--uninstall` takes them away, what systemd makes of the unit, and that
/// doveadm works under the unit's restrictions.
@Suite("scripts/install and junkwatch.service")
struct InstallTests {
    static let repository = CommandLineTests.repository
    static let script = repository.appendingPathComponent("scripts/install").path
    static let unit = repository.appendingPathComponent("units/junkwatch.service").path

    /// `scripts/install --no-build --binary <the built junkwatch> --destdir DIR` (and `extra`),
    /// with PREFIX and DESTDIR cleared unless `environment` sets them.
    static func install(
        into destdir: URL,
        _ extra: [String] = [],
        environment: [String: String] = [:],
        script: String = InstallTests.script
    ) async throws -> Program.Result {
        let arguments = [script, "--no-build", "--binary", CommandLineTests.program, "--destdir", destdir.path] + extra
        return try await Program.run(arguments, environment: ["PREFIX": "", "DESTDIR": ""].merging(environment) { $1 })
    }

    static func files(in directory: String, ending suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// Every regular file below `root`, as paths relative to it.
    static func regularFiles(below root: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(relative).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                found.append(relative)
            }
        }
        return found.sorted()
    }

    /// The value of the unit's first `Key=` line.
    static func setting(_ key: String, in unitText: String) -> String? {
        unitText.split(separator: "\n").first { $0.hasPrefix("\(key)=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    static func contents(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test("every file lands where the unit expects it, and --uninstall removes them all")
    func installAndUninstall() async throws {
        let destdir = try makeTemporaryDirectory("install")
        defer { try? FileManager.default.removeItem(at: destdir) }
        let root = destdir.path
        let installed = try await Self.install(into: destdir)
        #expect(installed.status == 0, "\(installed.error)")

        var expected: [String] = ["/usr/local/bin/junkwatch", "/etc/systemd/system/junkwatch.service"]
        let filters = try Self.files(in: Self.repository.appendingPathComponent("Filters").path, ending: ".toml")
        #expect(!filters.isEmpty)
        for filter in filters {
            let path = "/usr/local/share/junkwatch/filters/\(filter)"
            expected.append(path)
            #expect(
                try Self.contents(root + path)
                    == Self.contents(Self.repository.appendingPathComponent("Filters/\(filter)").path)
            )
        }
        let catalogs = try Self.files(in: Self.repository.appendingPathComponent("units").path, ending: ".catalog")
        for catalog in catalogs {
            expected.append("/usr/local/lib/systemd/catalog/\(catalog)")
        }
        let example = try Self.contents(Self.repository.appendingPathComponent("units/junkwatch.toml.example").path)
        for name in ["junkwatch.toml.example", "junkwatch.toml"] {
            expected.append("/etc/junkwatch/\(name)")
            #expect(try Self.contents(root + "/etc/junkwatch/\(name)") == example)
        }
        for path in expected {
            #expect(FileManager.default.fileExists(atPath: root + path), "\(path) not installed")
            #expect(installed.output.contains("installed \(root)\(path)\n"), "\(path) not reported")
        }
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: root + "/etc/junkwatch/filters.d", isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)

        // The unit starts the program that was installed.
        let unitText = String(decoding: try Self.contents(root + "/etc/systemd/system/junkwatch.service"), as: UTF8.self)
        let execStart = try #require(Self.setting("ExecStart", in: unitText))
        let program = try #require(execStart.split(separator: " ").first.map(String.init))
        #expect(program == "/usr/local/bin/junkwatch")
        #expect(FileManager.default.isExecutableFile(atPath: root + program))
        #expect(try Self.contents(root + program) == Self.contents(CommandLineTests.program))

        // The catalog is where journalctl --update-catalog looks.
        if !catalogs.isEmpty, Integration.required || FileManager.default.isExecutableFile(atPath: "/usr/bin/journalctl") {
            try await Self.expectCatalogRead(root: root, catalogs: catalogs.map {
                Self.repository.appendingPathComponent("units/\($0)").path
            })
        }

        let removed = try await Self.install(into: destdir, ["--uninstall"])
        #expect(removed.status == 0, "\(removed.error)")
        #expect(Self.regularFiles(below: destdir) == [], "left behind after --uninstall")
        #expect(!FileManager.default.fileExists(atPath: root + "/etc/junkwatch"))
        for path in expected {
            #expect(removed.output.contains("removed \(root)\(path)\n"), "\(path) not reported removed")
        }
    }

    /// `journalctl --root --update-catalog` builds a database holding every message ID of `catalogs`.
    static func expectCatalogRead(root: String, catalogs: [String]) async throws {
        let update = try await Program.run(["/usr/bin/journalctl", "--root=\(root)", "--update-catalog"])
        #expect(update.status == 0, "\(update.error)")
        let list = try await Program.run(["/usr/bin/journalctl", "--root=\(root)", "--list-catalog"])
        #expect(list.status == 0, "\(list.error)")
        // Only the database made here lives below var/: leave the staged tree as installed.
        try? FileManager.default.removeItem(atPath: root + "/var")
        for catalog in catalogs {
            let text = String(decoding: try Self.contents(catalog), as: UTF8.self)
            let ids = text.split(separator: "\n").filter { $0.hasPrefix("-- ") }.map { $0.dropFirst(3).prefix(32) }
            #expect(!ids.isEmpty, "\(catalog) has no entries")
            for id in ids {
                #expect(list.output.contains(String(id)), "\(id) of \(catalog) not in the catalog database")
            }
        }
    }

    @Test("a message catalog goes to the directory journalctl --update-catalog reads", .needsJournalctl)
    func catalog() async throws {
        // A copy of the tree with a catalog of its own: this does not depend on the
        // repository's units/*.catalog.
        let tree = try makeTemporaryDirectory("tree")
        let destdir = try makeTemporaryDirectory("catalog")
        defer {
            try? FileManager.default.removeItem(at: tree)
            try? FileManager.default.removeItem(at: destdir)
        }
        let manager = FileManager.default
        for folder in ["scripts", "units", "Filters"] {
            try manager.createDirectory(at: tree.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let copies = ["scripts/install", "units/junkwatch.service", "units/junkwatch.toml.example"]
            + (try Self.files(in: Self.repository.appendingPathComponent("Filters").path, ending: ".toml")).map { "Filters/\($0)" }
        for path in copies {
            try manager.copyItem(at: Self.repository.appendingPathComponent(path), to: tree.appendingPathComponent(path))
        }
        let catalog = tree.appendingPathComponent("units/install-test.catalog")
        try Data(
            "-- 3f1c0e4a7b2d4c6e8a9b0c1d2e3f4a5b\nSubject: junkwatch install test\nDefined-By: junkwatch\n\nA test entry.\n".utf8
        ).write(to: catalog)

        let staged = try await Self.install(into: destdir, script: tree.appendingPathComponent("scripts/install").path)
        #expect(staged.status == 0, "\(staged.error)")
        let installed = destdir.path + "/usr/local/lib/systemd/catalog/install-test.catalog"
        #expect(FileManager.default.fileExists(atPath: installed))
        try await Self.expectCatalogRead(root: destdir.path, catalogs: [catalog.path])

        // With --prefix /usr, systemd's own directory.
        let usr = try await Self.install(into: destdir, ["--prefix", "/usr"], script: tree.appendingPathComponent("scripts/install").path)
        #expect(usr.status == 0, "\(usr.error)")
        #expect(FileManager.default.fileExists(atPath: destdir.path + "/usr/lib/systemd/catalog/install-test.catalog"))
    }

    @Test("PREFIX and DESTDIR come from the environment or the options; ExecStart follows the prefix")
    func prefix() async throws {
        let destdir = try makeTemporaryDirectory("prefix")
        defer { try? FileManager.default.removeItem(at: destdir) }
        let root = destdir.path
        let fromEnvironment = try await Program.run(
            [Self.script, "--no-build", "--binary", CommandLineTests.program],
            environment: ["PREFIX": "/usr", "DESTDIR": root]
        )
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.error)")
        #expect(FileManager.default.isExecutableFile(atPath: root + "/usr/bin/junkwatch"))
        #expect(FileManager.default.fileExists(atPath: root + "/usr/share/junkwatch/filters/dovecot-mail-log.toml"))
        var unitText = String(decoding: try Self.contents(root + "/etc/systemd/system/junkwatch.service"), as: UTF8.self)
        #expect(Self.setting("ExecStart", in: unitText) == "/usr/bin/junkwatch run")

        let fromOptions = try await Self.install(into: destdir, ["--prefix", "/opt/junkwatch"], environment: ["PREFIX": "/usr"])
        #expect(fromOptions.status == 0, "\(fromOptions.error)")
        #expect(FileManager.default.isExecutableFile(atPath: root + "/opt/junkwatch/bin/junkwatch"))
        unitText = String(decoding: try Self.contents(root + "/etc/systemd/system/junkwatch.service"), as: UTF8.self)
        #expect(Self.setting("ExecStart", in: unitText) == "/opt/junkwatch/bin/junkwatch run")

        let bad = try await Self.install(into: destdir, ["--prefix", "relative/path"])
        #expect(bad.status != 0)
        #expect(bad.error.contains("--prefix must be an absolute path"))
        let help = try await Program.run([Self.script, "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("--destdir DIR"))
    }

    @Test("a configuration the site changed survives a new install and --uninstall")
    func changedConfiguration() async throws {
        let destdir = try makeTemporaryDirectory("config")
        defer { try? FileManager.default.removeItem(at: destdir) }
        let config = destdir.path + "/etc/junkwatch/junkwatch.toml"
        #expect(try await Self.install(into: destdir).status == 0)
        let changed = Data("[classify]\njunk_mailboxes = [\"Spam\"]\n".utf8)
        try changed.write(to: URL(fileURLWithPath: config))

        let again = try await Self.install(into: destdir)
        #expect(again.status == 0, "\(again.error)")
        #expect(try Self.contents(config) == changed)
        #expect(again.output.contains("kept \(config)"))

        let removed = try await Self.install(into: destdir, ["--uninstall"])
        #expect(removed.status == 0, "\(removed.error)")
        #expect(try Self.contents(config) == changed)
        #expect(Self.regularFiles(below: destdir) == ["etc/junkwatch/junkwatch.toml"])
    }

    @Test("the installed program finds its filters in ../share/junkwatch/filters")
    func installedFilters() async throws {
        let destdir = try makeTemporaryDirectory("filters")
        defer { try? FileManager.default.removeItem(at: destdir) }
        #expect(try await Self.install(into: destdir).status == 0)
        let program = destdir.path + "/usr/local/bin/junkwatch"
        let capture = CommandLineTests.capture
        // An empty configuration: the default filter paths (/etc/junkwatch/filters.d,
        // /usr/share/junkwatch/filters), which hold no filter on a machine without an install.
        let empty = destdir.appendingPathComponent("empty.toml")
        try Data().write(to: empty)
        let arguments = ["test-filter", "--config", empty.path, "--input-format", "export", "-"]
        let found = try await Program.run([program] + arguments, inputFile: capture)
        #expect(found.status == 0, "\(found.error)")
        #expect(found.output.contains("Verdicts: 4 ham, 6 spam, 25 nothing"))

        // check-config looks where the other commands do. A journal, doveadm and learners that
        // are not there fail at once: only the filter's line is the point.
        let installedFilter = destdir.path + "/usr/local/share/junkwatch/filters/dovecot-mail-log.toml"
        let nowhere = destdir.appendingPathComponent("nowhere").path
        let checked = destdir.appendingPathComponent("check.toml")
        try Data(
            """
            [journal]
            source = "directory"
            path = "\(nowhere)"
            [doveadm]
            path = "\(nowhere)"
            [rspamd]
            enabled = false
            """.utf8
        ).write(to: checked)
        let check = try await Program.run([program, "check-config", "--config", checked.path])
        #expect(
            check.output.split(separator: "\n").contains { $0.hasPrefix("ok    filter dovecot-mail-log  \(installedFilter): ") },
            "\(check.output)"
        )

        // Take the installed filter away: it was the one found.
        try FileManager.default.removeItem(atPath: installedFilter)
        let missing = try await Program.run([program] + arguments, inputFile: capture)
        #expect(missing.status != 0)
        #expect(missing.error.contains("no such filter"), "\(missing.error)")
        let unchecked = try await Program.run([program, "check-config", "--config", checked.path])
        #expect(unchecked.status == 1)
        #expect(unchecked.output.contains("FAIL  filter dovecot-mail-log  "), "\(unchecked.output)")
    }

    /// The exposure the unit's header documents ("... gives 1.9 (OK) ...").
    static func documentedExposure() throws -> Double {
        let text = String(decoding: try contents(unit), as: UTF8.self)
        let pattern = /security --offline=true junkwatch\.service` gives ([0-9]+\.[0-9])/
        let match = try #require(text.firstMatch(of: pattern), "the unit's header documents no exposure score")
        return try #require(Double(match.1))
    }

    @Test("systemd-analyze security rates the installed unit no worse than its header says", .needsSystemdAnalyze)
    func exposure() async throws {
        let destdir = try makeTemporaryDirectory("security")
        defer { try? FileManager.default.removeItem(at: destdir) }
        #expect(try await Self.install(into: destdir).status == 0)
        let installed = destdir.path + "/etc/systemd/system/junkwatch.service"
        let analysis = try await Program.run(["/usr/bin/systemd-analyze", "security", "--offline=true", installed])
        #expect(analysis.status == 0, "\(analysis.error)")
        let line = try #require(
            analysis.output.split(separator: "\n").first { $0.contains("Overall exposure level for junkwatch.service:") },
            "\(analysis.output)\(analysis.error)"
        )
        let score = try #require(line.firstMatch(of: /: ([0-9]+\.[0-9])/).flatMap { Double($0.1) })
        let documented = try Self.documentedExposure()
        #expect(score <= documented, "exposure \(score) is worse than the documented \(documented)")
        #expect(documented <= 2.0)
        // Nothing in the unit is ignored as unknown or malformed.
        #expect(!analysis.error.contains("junkwatch.service:"), "\(analysis.error)")
    }

    @Test("systemd-analyze verify accepts the installed unit", .needsSystemdAnalyze)
    func verify() async throws {
        let destdir = try makeTemporaryDirectory("verify")
        defer { try? FileManager.default.removeItem(at: destdir) }
        #expect(try await Self.install(into: destdir).status == 0)
        // verify checks that ExecStart= exists: point it at the staged program, in a copy
        // named like the unit.
        let directory = destdir.appendingPathComponent("verify")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let text = String(decoding: try Self.contents(destdir.path + "/etc/systemd/system/junkwatch.service"), as: UTF8.self)
        let copy = directory.appendingPathComponent("junkwatch.service")
        try Data(
            text.replacingOccurrences(of: "ExecStart=/usr/local/bin/junkwatch ", with: "ExecStart=\(destdir.path)/usr/local/bin/junkwatch ").utf8
        ).write(to: copy)
        let verified = try await Program.run(["/usr/bin/systemd-analyze", "verify", copy.path])
        #expect(verified.status == 0, "\(verified.output)\(verified.error)")
        #expect(verified.error.isEmpty, "\(verified.error)")
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test where `systemd-analyze` is installed, or when CI requires it.
    static var needsSystemdAnalyze: Self {
        .enabled(
            if: Integration.required || FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"),
            "needs systemd-analyze"
        )
    }

    /// Runs the test where `journalctl` is installed, or when CI requires it.
    static var needsJournalctl: Self {
        .enabled(
            if: Integration.required || FileManager.default.isExecutableFile(atPath: "/usr/bin/journalctl"),
            "needs journalctl"
        )
    }
}
