import Foundation
import TestSupport

/// Reads rspamd's per-user Bayes counters from the testbed's Redis.
struct TestbedRedis {
    let testbed: TestbedEnvironment

    /// `HGET RS<bayesUser> field` as a number; 0 when the key or field does not exist.
    func learns(_ field: String, bayesUser: String) async throws -> Int {
        let result = try await Program.check([
            "/usr/bin/redis-cli", "-h", testbed.redisHost, "-p", testbed.redisPort, "--raw", "HGET", "RS\(bayesUser)",
            field,
        ])
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
