import Foundation
import Synchronization
import Testing

@testable import JunkwatchCore

@Suite("Batch hand-off between the reading thread and the scanner")
struct BatchHandOffTests {
    /// A batch that carries the number of the batch it was filled as.
    final class Numbered: @unchecked Sendable {
        var number = -1
    }

    /// What the producer did, seen from the consumer's thread.
    final class Progress: Sendable {
        let sent = Atomic<Int>(0)
        let finished = Atomic<Bool>(false)
        let producerThread = Mutex<Thread?>(nil)

        var producerFinished: Bool { finished.load(ordering: .sequentiallyConsistent) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "the journal broke at entry 8193" }
    }

    static func pool(_ count: Int) -> [Numbered] { (0..<count).map { _ in Numbered() } }

    @Test("batches arrive in the order they were filled, every one of them")
    func order() throws {
        var received: [Int] = []
        try BatchHandOff.run(batches: Self.pool(3)) { handOff in
            for number in 0..<1_000 {
                guard let batch = handOff.emptyBatch() else { return }
                batch.number = number
                handOff.send(batch)
            }
        } consume: { batch in
            received.append(batch.number)
            return true
        }
        #expect(received == Array(0..<1_000))
    }

    @Test("the producer runs on a thread of its own and waits when every batch is in flight")
    func bounded() throws {
        let progress = Progress()
        var consumed = 0
        var mostAhead = 0
        try BatchHandOff.run(batches: Self.pool(3)) { handOff in
            progress.producerThread.withLock { $0 = Thread.current }
            for number in 0..<200 {
                guard let batch = handOff.emptyBatch() else { return }
                batch.number = number
                handOff.send(batch)
                progress.sent.add(1, ordering: .sequentiallyConsistent)
            }
        } consume: { batch in
            let producerThread = progress.producerThread.withLock { $0 }
            #expect(producerThread != nil && producerThread != Thread.current)
            // A slow consumer: the producer gets every chance to run ahead.
            if batch.number % 20 == 0 { usleep(2_000) }
            consumed += 1
            // The batch in hand is one of the three, so at most two more can be filled.
            mostAhead = max(mostAhead, progress.sent.load(ordering: .sequentiallyConsistent) - consumed)
            return true
        }
        #expect(consumed == 200)
        #expect(mostAhead <= 2)
        #expect(mostAhead >= 1, "the producer never ran ahead: the test proves nothing")
    }

    @Test("a producer's error comes after the batches sent before it, with its message")
    func failure() throws {
        var received: [Int] = []
        let error = #expect(throws: Failure.self) {
            try BatchHandOff.run(batches: Self.pool(2)) { handOff in
                for number in 0..<5 {
                    guard let batch = handOff.emptyBatch() else { return }
                    batch.number = number
                    handOff.send(batch)
                }
                throw Failure()
            } consume: { batch in
                received.append(batch.number)
                return true
            }
        }
        #expect(received == [0, 1, 2, 3, 4])
        #expect(error.map(String.init(describing:)) == "the journal broke at entry 8193")
    }

    @Test("stopping early ends a producer that would go on forever, and waits for it")
    func earlyStop() throws {
        let progress = Progress()
        var received = 0
        try BatchHandOff.run(batches: Self.pool(3)) { handOff in
            var number = 0
            while let batch = handOff.emptyBatch() {
                batch.number = number
                number += 1
                handOff.send(batch)
            }
            progress.finished.store(true, ordering: .sequentiallyConsistent)
        } consume: { _ in
            received += 1
            return received < 5
        }
        #expect(received == 5)
        #expect(progress.producerFinished, "run returned before the producer did")
    }

    @Test("an error thrown while consuming stops the producer and is what run throws")
    func consumerFailure() throws {
        let progress = Progress()
        #expect(throws: Failure.self) {
            try BatchHandOff.run(batches: Self.pool(3)) { handOff in
                while let batch = handOff.emptyBatch() { handOff.send(batch) }
                progress.finished.store(true, ordering: .sequentiallyConsistent)
            } consume: { _ in
                throw Failure()
            }
        }
        #expect(progress.producerFinished)
    }
}
