public import Foundation

/// A new empty directory `junkwatch-LABEL-UUID` under the system's temporary directory (not below
/// the source tree, so that a program run in it cannot find the repository's files); the caller
/// removes it. Prefer ``withTemporaryDirectory(_:_:)-(_,(URL)->Result)``, which does.
public func makeTemporaryDirectory(_ label: String = "tests") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("junkwatch-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A scratch directory (``makeTemporaryDirectory(_:)``) for `body`, removed when it returns.
public func withTemporaryDirectory<Result>(_ label: String = "tests", _ body: (URL) throws -> Result) throws -> Result {
    let url = try makeTemporaryDirectory(label)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// A scratch directory (``makeTemporaryDirectory(_:)``) for `body`, removed when it returns.
public func withTemporaryDirectory<Result>(
    _ label: String = "tests",
    _ body: (URL) async throws -> Result
) async throws -> Result {
    let url = try makeTemporaryDirectory(label)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}
