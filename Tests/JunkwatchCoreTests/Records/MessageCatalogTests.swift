import Foundation
import JunkwatchCore
import SystemdJournal
import TestSupport
import Testing

/// `units/junkwatch.catalog`: an entry for every MESSAGE_ID the code writes, in a form journalctl takes.
@Suite("The journal message catalog")
struct MessageCatalogTests {
    static let path = repositoryRoot.appendingPathComponent("units/junkwatch.catalog").path

    static let journalctl = ["/usr/bin/journalctl", "/bin/journalctl"].first(
        where: FileManager.default.isExecutableFile
    )

    struct Entry {
        var headers: [String: String] = [:]
        var body = ""
        var text: String { (headers["Subject"] ?? "") + "\n" + body }
    }

    /// The catalog, parsed as systemd's catalog.c reads it: `-- ID` starts an entry, `Key: value`
    /// lines up to the first empty line are its headers, the rest up to the next entry its text.
    static func entries() throws -> [String: Entry] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var entries: [String: Entry] = [:]
        var current: String?
        var inHeaders = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("-- ") {
                let id = String(line.dropFirst(3))
                #expect(entries[id] == nil, "\(id) twice")
                current = id
                entries[id] = Entry()
                inHeaders = true
                continue
            }
            guard let id = current else {
                #expect(line.isEmpty || line.hasPrefix("#"), "text before the first entry: \(line)")
                continue
            }
            if inHeaders {
                if line.isEmpty {
                    inHeaders = false
                } else if let colon = line.firstIndex(of: ":") {
                    entries[id]!.headers[String(line[..<colon])] = line[line.index(after: colon)...]
                        .trimmingCharacters(in: .whitespaces)
                } else {
                    Issue.record("not a header in \(id): \(line)")
                }
            } else {
                entries[id]!.body += line + "\n"
            }
        }
        return entries
    }

    /// The fields an entry with this ID always has, which a catalog text may name as `@FIELD@`.
    static func alwaysPresent(_ id: JournalMessageID) -> Set<String> {
        let fields: [JournalField]
        if let outcome = DecisionRecord.Outcome(messageID: id) {
            // A message that is gone may be gone before any learner had a say.
            let learner: String? = outcome == .gone ? nil : "rspamd"
            fields = DecisionRecord(
                user: "u",
                verdict: .ham,
                mailbox: "m",
                learner: learner,
                outcome: outcome,
                reason: "r"
            )
            .journalFields()
        } else {
            let notice: JournalNotice =
                switch id {
                case .journalSuppressed: .suppressed(unit: "dovecot.service", count: 1)
                case .cursorLost: .cursorLost(savedCursor: "s=1", resumedRealtime: nil)
                default: .transientFailure(learner: "rspamd", reason: "r", retryIn: .seconds(1))
                }
            fields = notice.journalFields
        }
        return Set(fields.map(\.name))
    }

    @Test("every MESSAGE_ID of the code has an entry with Subject, Defined-By, Support, Documentation; no others")
    func everyID() throws {
        let entries = try Self.entries()
        #expect(Set(entries.keys) == Set(JournalMessageID.all.map(\.rawValue)))
        for (id, entry) in entries {
            #expect(entry.headers["Defined-By"] == "junkwatch", "\(id)")
            for header in ["Subject", "Support", "Documentation"] {
                #expect(!(entry.headers[header] ?? "").isEmpty, "\(id) has no \(header)")
            }
            #expect(entry.body.trimmingCharacters(in: .whitespacesAndNewlines).count > 100, "\(id) explains too little")
        }
    }

    @Test("the text names only fields its entries always carry", arguments: JournalMessageID.all)
    func substitutions(_ id: JournalMessageID) throws {
        let entry = try #require(try Self.entries()[id.rawValue])
        let allowed = Self.alwaysPresent(id)
        let parts = entry.text.split(separator: "@", omittingEmptySubsequences: false)
        // Between the n-th and (n+1)-th @ for odd n: a name, if it looks like one.
        var named: Set<String> = []
        for (index, part) in parts.enumerated() where index % 2 == 1 && index < parts.count - 1 {
            #expect(part.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" }, "\(id): @\(part)@ is no field name")
            named.insert(String(part))
        }
        #expect(parts.count % 2 == 1, "\(id): an odd number of @")
        #expect(named.isSubset(of: allowed), "\(id) names \(named.subtracting(allowed)), which its entries may lack")
    }

    @Test(
        "journalctl takes the catalog: --update-catalog into a root, then --list-catalog",
        .enabled(if: journalctl != nil || Integration.required, "needs journalctl")
    )
    func journalctlReadsIt() async throws {
        let journalctl = try #require(Self.journalctl, "journalctl is not installed")
        let root = try Self.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await Program.check([journalctl, "--root=\(root)", "--update-catalog"])
        let list = try await Program.check([journalctl, "--root=\(root)", "--list-catalog"]).output
        let listed = list.split(separator: "\n").map { String($0.prefix(32)) }
        #expect(Set(listed) == Set(JournalMessageID.all.map(\.rawValue)), "\(list)")
        for line in list.split(separator: "\n") { #expect(line.dropFirst(33).hasPrefix("junkwatch: "), "\(line)") }
        let dump = try await Program.check([journalctl, "--root=\(root)", "--dump-catalog"]).output
        #expect(dump.contains("-- a10e30b5feda48e0b4c356057c9ac95e\nSubject: junkwatch could not teach"))
    }

    /// `journalctl -x` reads the catalog database at its fixed place in /var/lib/systemd, whatever
    /// `--root` says; a private mount namespace lets the test put its own there without touching
    /// the machine's. Needs root and unshare(1).
    static var canMountPrivately: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") && journalctl != nil
            && JournalFixture.isAvailable
    }

    @Test(
        "journalctl -x explains every entry junkwatch writes, with its fields filled in",
        .enabled(
            if: canMountPrivately || Integration.required,
            "needs root, unshare, journalctl, systemd-journal-remote"
        )
    )
    func explained() async throws {
        let journalctl = try #require(Self.journalctl, "journalctl is not installed")
        let root = try Self.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await Program.check([journalctl, "--root=\(root)", "--update-catalog"])

        let user = "carol.o'neil+tag@example.org"
        var items: [(realtime: UInt64, fields: [JournalField])] = DecisionRecord.Outcome.allCases.enumerated().map {
            let record = DecisionRecord(
                user: user,
                verdict: .spam,
                mailbox: "Müll",
                uid: 3,
                learner: "rspamd",
                outcome: $1,
                reason: "copied from INBOX into Müll",
                latency: 0.02
            )
            return (1_763_700_000_000_000 + UInt64($0) * 1_000_000, record.journalFields())
        }
        let notices: [JournalNotice] = [
            .suppressed(unit: "dovecot.service", count: 1234),
            .cursorLost(savedCursor: "s=abc;i=9", resumedRealtime: nil),
            .transientFailure(learner: "rspamd", reason: "connection refused", retryIn: .seconds(30)),
        ]
        for notice in notices { items.append((1_763_700_100_000_000 + UInt64(items.count), notice.journalFields)) }
        let machine = root + "/var/log/journal/" + ExportText.boot
        try FileManager.default.createDirectory(atPath: machine, withIntermediateDirectories: true)
        try await JournalFixture.append(exportText: ExportText.entries(items), to: machine, file: "junkwatch")

        // The mount and journalctl must run in the same new namespace: two commands, hence sh.
        // The paths come in as arguments, never spliced into the script.
        let script =
            #"mount --bind "$1" /var/lib/systemd/catalog/database && exec "$2" --root="$3" -x --no-pager -o short"#
        let output = try await Program.check([
            "/usr/bin/unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh",
            root + "/var/lib/systemd/catalog/database", journalctl, root,
        ]).output
        let subjects = output.split(separator: "\n").filter { $0.contains("Subject: ") }.map {
            String($0[$0.range(of: "Subject: ")!.upperBound...])
        }
        #expect(
            subjects == [
                "junkwatch taught rspamd a spam message of \(user)",
                "rspamd had already learned a spam message of \(user)",
                "junkwatch did not send a spam message of \(user) to rspamd",
                "A spam message of \(user) was gone before junkwatch could fetch it",
                "junkwatch could not teach rspamd a spam message of \(user)",
                "journald suppressed 1234 messages from dovecot.service; junkwatch never saw them",
                "junkwatch's saved journal position is gone; it resumed at the oldest entry",
                "rspamd is failing; junkwatch waits 30 s and retries",
            ],
            "\(output)"
        )
        #expect(output.contains("now in mailbox Müll, to be"))
        #expect(output.contains("The entry that cursor names (s=abc;i=9)"))
    }

    /// A directory with the catalog where journalctl --root looks for it.
    static func makeRoot() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-catalog-\(UUID())").path
        let catalogs = root + "/usr/lib/systemd/catalog"
        try FileManager.default.createDirectory(atPath: catalogs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path, toPath: catalogs + "/junkwatch.catalog")
        return root
    }
}
