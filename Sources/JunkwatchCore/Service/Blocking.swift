import Foundation

/// Runs `work` on a thread of its own and waits for it without holding one of Swift's
/// cooperative threads, which are not for blocking: a scan blocks on the journal, a pipe or
/// its read-ahead thread for as long as it runs.
/// - Throws: what `work` throws; nothing, when it throws nothing.
public func onThreadOfItsOwn<Value: Sendable, Failure: Error>(
    _ work: @escaping @Sendable () throws(Failure) -> Value
) async throws(Failure) -> Value {
    let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, Failure>, Never>) in
        Thread {
            continuation.resume(returning: Result { () throws(Failure) -> Value in try work() })
        }.start()
    }
    return try result.get()
}
