import Foundation

/// Hands batches from a producer on a thread of its own to the calling thread, in order, through
/// a fixed pool of batches.
///
/// The pool's batches go round: the producer takes an empty one, fills it and sends it; the
/// consumer takes it, reads it and gives it back. When every batch is full the producer waits,
/// so memory stays flat however far the consumer falls behind, and no batch is ever allocated
/// after the start. A producer's error reaches the consumer after the batches sent before it,
/// just where a sequential loop would have thrown it.
///
/// Everything shared sits behind one lock and condition, taken a few times a batch.
final class BatchHandOff<Batch: AnyObject & Sendable>: @unchecked Sendable {
    // @unchecked: every stored property below is read and written only with `condition` locked.
    private let condition = NSCondition()
    private var empty: [Batch]
    private var full: [Batch] = []
    /// The producer's closure has returned, or thrown `failure`: no more batches come, and
    /// whatever it opened is closed.
    private var finished = false
    private var failure: (any Error)?
    /// The consumer wants no more batches.
    private var stopped = false

    /// Creates a hand-off whose pool holds `batches`: that many at most are in flight.
    private init(batches: [Batch]) {
        precondition(!batches.isEmpty, "a hand-off needs at least one batch")
        empty = batches
    }

    /// Runs `produce` on a new thread and `consume` on the calling thread, batch by batch, in
    /// order, until the producer is done or `consume` returns `false`.
    ///
    /// `produce` calls `emptyBatch()` for each batch to fill and `send(_:)` when it is filled;
    /// when it returns or throws, no more batches come. This function returns only after
    /// `produce` has returned, so nothing it opened outlives the call.
    /// - Throws: what `produce` threw, after every batch it sent before; what `consume` throws.
    static func run(
        batches: [Batch],
        produce: @escaping @Sendable (BatchHandOff<Batch>) throws -> Void,
        consume: (Batch) throws -> Bool
    ) throws {
        let handOff = BatchHandOff(batches: batches)
        // A thread of its own, not a Dispatch or Swift concurrency worker: the producer blocks
        // (libsystemd reads, waiting for an empty batch) for as long as the run lasts.
        let thread = Thread {
            // Named for `top -H` and perf; Linux keeps 15 characters.
            Thread.current.name = "read-ahead"
            var failure: (any Error)?
            do { try produce(handOff) } catch { failure = error }
            handOff.finish(failure)
        }
        thread.start()
        defer { handOff.stopAndWaitForProducer() }
        while let batch = try handOff.nextFull() {
            let goOn = try consume(batch)
            handOff.giveBack(batch)
            if !goOn { return }
        }
    }

    // MARK: The producer's side

    /// An empty batch to fill, once one is free; `nil` when the consumer stopped: produce no more.
    func emptyBatch() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while empty.isEmpty && !stopped { condition.wait() }
        return stopped ? nil : empty.removeLast()
    }

    /// How many sent batches the consumer has not taken yet: more than none, and it is behind.
    var backlog: Int {
        condition.lock()
        defer { condition.unlock() }
        return full.count
    }

    /// Sends a filled batch to the consumer.
    func send(_ batch: Batch) {
        condition.lock()
        full.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    private func finish(_ error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    // MARK: The consumer's side

    /// The next filled batch, waiting for it; `nil` after the last one.
    /// - Throws: the producer's error, once every batch it sent before has been taken.
    private func nextFull() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while full.isEmpty && !finished { condition.wait() }
        if !full.isEmpty { return full.removeFirst() }
        if let failure {
            self.failure = nil
            throw failure
        }
        return nil
    }

    /// Returns a batch the consumer is done with to the pool.
    private func giveBack(_ batch: Batch) {
        condition.lock()
        empty.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// Tells the producer to stop, and waits until its closure has returned.
    private func stopAndWaitForProducer() {
        condition.lock()
        defer { condition.unlock() }
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
    }
}
