import Foundation

/// Runs `work` on a thread of its own and waits for it without holding one of Swift's
/// cooperative threads, which are not for blocking: a scan blocks on the journal, a pipe or
/// its read-ahead thread for as long as it runs.
func onThreadOfItsOwn<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result { try work() })
        }.start()
    }
}
