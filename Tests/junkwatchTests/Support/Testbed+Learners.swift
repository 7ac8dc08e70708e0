import Foundation
import TestSupport

/// What SpamAssassin's per-user database says was learned (rspamd's Bayes counters and fuzzy
/// storage are ``Testbed/bayesLearns(_:)`` and ``Testbed/fuzzySymbols(_:)``), and rspamd
/// stopped and started.
extension Testbed {
    /// `nham` and `nspam` of a SpamAssassin database (`sa-learn --dbpath PATH --dump magic`);
    /// zero for a database that does not exist.
    func spamAssassinCounts(databasePath: String, home: String) async throws -> (ham: Int, spam: Int) {
        guard FileManager.default.fileExists(atPath: databasePath + "_toks") else { return (0, 0) }
        let result = try await Program.check(
            ["/usr/bin/sa-learn", "--dbpath=\(databasePath)", "--dump", "magic"],
            environment: ["HOME": home]
        )
        func count(_ name: String) -> Int {
            for line in result.lines where line.hasSuffix("non-token data: \(name)") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                if fields.count > 2, let value = Int(fields[2]) { return value }
            }
            return 0
        }
        return (count("nham"), count("nspam"))
    }

    /// Stops rspamd (SIGTERM, waits for it to exit).
    func stopRspamd() async throws {
        try await Program.check([rspamdStop])
    }

    /// Starts rspamd again and waits until its controller answers.
    func startRspamd() async throws {
        try await Program.check([rspamdStart])
    }
}
