import Foundation
import JunkwatchCore

/// The repository's top folder, found from this file's place in it.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // JunkwatchCoreTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

/// The shipped filter files.
let shippedFiltersDirectory = repositoryRoot.appendingPathComponent("Filters").path

/// A shipped filter, loaded as junkwatch would.
func shippedFilters(_ names: String...) throws -> FilterSet {
    try FilterSet.load(paths: [shippedFiltersDirectory], enabled: names)
}

/// The lines of a fixture file (Tests/JunkwatchCoreTests/Fixtures, copied into the test bundle).
func fixtureLines(_ name: String) throws -> [String] {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
        throw FixtureMissing(name: name)
    }
    return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
}

/// Every fixture file with this extension.
func fixtureFiles(withExtension suffix: String) throws -> [URL] {
    guard let resources = Bundle.module.resourceURL else { throw FixtureMissing(name: "*.\(suffix)") }
    let folder = resources.appendingPathComponent("Fixtures")
    return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == suffix }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

struct FixtureMissing: Error, CustomStringConvertible {
    var name: String
    var description: String { "no fixture \(name) in the test bundle" }
}

extension MailEvent {
    /// A test event: an IMAP action by alice unless said otherwise.
    static func make(
        _ kind: Kind,
        service: String = "imap",
        user: String = "alice@example.com",
        source: String? = nil,
        mailbox: String,
        uid: UInt32? = 1,
        msgid: String = "<m1@example.com>",
        size: Int? = 364,
        flags: [String]? = nil
    ) -> MailEvent {
        MailEvent(
            kind: kind,
            service: service,
            user: user,
            source: source,
            mailbox: mailbox,
            uid: uid,
            msgid: msgid,
            size: size,
            flags: flags,
            cursor: "s=abc;i=1",
            realtime: 1_763_700_000_000_000,
            filter: "dovecot-mail-log",
            rule: kind.rawValue
        )
    }
}
