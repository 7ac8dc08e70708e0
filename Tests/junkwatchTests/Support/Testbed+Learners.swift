import Foundation
import TestSupport

/// What the learners' own state says was learned: rspamd's per-user Bayes counters in Redis,
/// its fuzzy storage as a scan sees it, and SpamAssassin's per-user database.
extension Testbed {
    /// `HGET RS<user> learns_ham` and `learns_spam`: 0 where the key or field does not exist.
    func bayesLearns(_ user: String) async throws -> (ham: Int, spam: Int) {
        let result = try await Program.check([
            "/usr/bin/redis-cli", "-h", redisHost, "-p", redisPort, "--raw", "HMGET", "RS\(user)", "learns_ham",
            "learns_spam",
        ])
        let values = result.output.split(separator: "\n", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        return (values.first ?? 0, values.dropFirst().first ?? 0)
    }

    /// The `FUZZY_*` symbols rspamd's normal worker reports for `message`.
    func fuzzySymbols(_ message: [UInt8]) async throws -> Set<String> {
        let result = try await Program.check(
            [
                "/usr/bin/curl", "-sS", "--max-time", "10", "-X", "POST", "--data-binary", "@-",
                rspamdScanURL + "/checkv2",
            ],
            input: message
        )
        let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let symbols = (json?["symbols"] as? [String: Any]) ?? [:]
        return Set(symbols.keys.filter { $0.hasPrefix("FUZZY_") })
    }

    /// Waits for the fuzzy storage's next sync (1 s in the testbed) to show what `expected` wants.
    func awaitFuzzy(_ message: [UInt8], _ expected: (Set<String>) -> Bool) async throws -> Set<String> {
        let deadline = ContinuousClock.now + .seconds(30)
        var symbols = try await fuzzySymbols(message)
        while !expected(symbols), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            symbols = try await fuzzySymbols(message)
        }
        return symbols
    }

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
