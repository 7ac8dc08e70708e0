import DequeModule
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The pipeline's queue: work in arrival order per user, handed to a bounded number of workers so
/// that no two workers ever hold the same user.
///
/// Producers wait while `capacity` items are queued or in a worker, so that reading the journal
/// pauses when the learners fall behind. A producer on a thread of its own (the journal scanner)
/// waits with `submitWaiting`, which blocks that thread instead of suspending a task. A worker
/// takes work with `take`: up to `batch` of one user's items, in order, holding the user until
/// the worker calls `done`.
final class UserQueue<Item: Sendable>: Sendable {
    typealias Work = (user: String, items: [Item])

    private struct State: ~Copyable {
        var queues: [String: Deque<Item>] = [:]
        /// Users with queued work and no worker, oldest first.
        var ready: Deque<String> = []
        /// Users a worker holds.
        var held: Set<String> = []
        /// Items queued or in a worker.
        var count = 0
        /// No more items will come: workers end once the queue is empty.
        var finished = false
        /// Queued items were dropped: workers end as soon as they ask for more.
        var stopped = false
        var waitingWorkers: Deque<CheckedContinuation<Work?, Never>> = []
        var waitingProducers: Deque<Producer> = []
    }

    private enum Producer {
        case task(CheckedContinuation<Void, Never>)
        case thread(Semaphore)

        func resume() {
            switch self {
            case .task(let continuation): continuation.resume()
            case .thread(let semaphore): semaphore.signal()
            }
        }
    }

    /// A one-shot wake-up for a producer that blocks its thread.
    private final class Semaphore: @unchecked Sendable {
        private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
        init() { sem_init(semaphore, 0, 0) }
        deinit {
            sem_destroy(semaphore)
            semaphore.deallocate()
        }
        func signal() { sem_post(semaphore) }
        func wait() { while sem_wait(semaphore) != 0 && errno == EINTR {} }
    }

    /// Continuations to resume once the lock is released.
    private struct Wakeups {
        var workers: [(CheckedContinuation<Work?, Never>, Work?)] = []
        var producers: [Producer] = []

        func resume() {
            for (worker, work) in workers { worker.resume(returning: work) }
            for producer in producers { producer.resume() }
        }
    }

    private let state = Mutex(State())
    /// How many items may be queued or in a worker before producers wait.
    let capacity: Int
    /// The most items of one user a worker takes at once.
    let batch: Int

    init(capacity: Int, batch: Int = 1) {
        precondition(capacity > 0 && batch > 0)
        self.capacity = capacity
        self.batch = batch
    }

    /// Items queued or held by a worker.
    var count: Int { state.withLock { $0.count } }

    /// Queues `item` for `user`, first waiting while the queue is full.
    /// - Returns: `false` when the queue was finished or stopped and the item dropped.
    @discardableResult
    func submit(_ item: Item, user: String) async -> Bool {
        while true {
            switch offer(item, user: user) {
            case .accepted: return true
            case .dropped: return false
            case .full: break
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if !waitForRoom(.task(continuation)) { continuation.resume() }
            }
        }
    }

    /// `submit` for a producer on a thread of its own: blocks the thread while the queue is full.
    @discardableResult
    func submitWaiting(_ item: Item, user: String) -> Bool {
        while true {
            switch offer(item, user: user) {
            case .accepted: return true
            case .dropped: return false
            case .full: break
            }
            let semaphore = Semaphore()
            if waitForRoom(.thread(semaphore)) { semaphore.wait() }
        }
    }

    private enum Offer { case accepted, dropped, full }

    private func offer(_ item: Item, user: String) -> Offer {
        var wakeups = Wakeups()
        let offer = state.withLock { state -> Offer in
            if state.stopped || state.finished { return .dropped }
            guard state.count < capacity else { return .full }
            state.count += 1
            state.queues[user, default: []].append(item)
            if !state.held.contains(user) && state.queues[user]!.count == 1 {
                state.ready.append(user)
            }
            dispatch(&state, into: &wakeups)
            return .accepted
        }
        wakeups.resume()
        return offer
    }

    /// Parks a producer until there is room; `false` when there already is (or never will be).
    private func waitForRoom(_ producer: Producer) -> Bool {
        state.withLock { state in
            if state.stopped || state.finished || state.count < capacity { return false }
            state.waitingProducers.append(producer)
            return true
        }
    }

    /// The next items (at most `batch`, in order) of a user no other worker holds, waiting for
    /// them; `nil` when the queue is finished and empty, or stopped.
    func take() async -> Work? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Work?, Never>) in
            var wakeups = Wakeups()
            state.withLock { state in
                state.waitingWorkers.append(continuation)
                dispatch(&state, into: &wakeups)
            }
            wakeups.resume()
        }
    }

    /// A worker finished (or, stopping, gave up) the `count` items of `user` it took: the
    /// user's next items, if any, become ready.
    func done(user: String, count: Int = 1) {
        var wakeups = Wakeups()
        state.withLock { state in
            state.held.remove(user)
            state.count -= count
            if let queue = state.queues[user], !queue.isEmpty {
                state.ready.append(user)
            } else {
                state.queues[user] = nil
            }
            dispatch(&state, into: &wakeups)
            while !state.stopped, state.count + wakeups.producers.count < capacity,
                let producer = state.waitingProducers.popFirst()
            {
                wakeups.producers.append(producer)
            }
        }
        wakeups.resume()
    }

    /// No more items will be submitted; workers end once everything queued is done.
    func finish() {
        var wakeups = Wakeups()
        state.withLock { state in
            state.finished = true
            wakeups.producers.append(contentsOf: state.waitingProducers)
            state.waitingProducers.removeAll()
            dispatch(&state, into: &wakeups)
        }
        wakeups.resume()
    }

    /// Drops everything not yet taken and ends the workers as they come back; items a worker
    /// holds are its to finish. Returns how many items were dropped.
    @discardableResult
    func stop() -> Int {
        var wakeups = Wakeups()
        let dropped = state.withLock { state -> Int in
            state.stopped = true
            let dropped = state.queues.values.reduce(0) { $0 + $1.count }
            state.count -= dropped
            state.queues.removeAll()
            state.ready.removeAll()
            wakeups.producers.append(contentsOf: state.waitingProducers)
            state.waitingProducers.removeAll()
            dispatch(&state, into: &wakeups)
            return dropped
        }
        wakeups.resume()
        return dropped
    }

    /// Hands ready users to waiting workers, and ends waiting workers when nothing more will come.
    private func dispatch(_ state: inout State, into wakeups: inout Wakeups) {
        while !state.waitingWorkers.isEmpty {
            if state.stopped {
                wakeups.workers.append((state.waitingWorkers.removeFirst(), nil))
                continue
            }
            if let user = state.ready.popFirst() {
                guard var queue = state.queues.removeValue(forKey: user), !queue.isEmpty else { continue }
                let items = Array(queue.prefix(batch))
                queue.removeFirst(items.count)
                state.queues[user] = queue
                state.held.insert(user)
                wakeups.workers.append((state.waitingWorkers.removeFirst(), (user, items)))
                continue
            }
            if state.finished && state.count == 0 {
                wakeups.workers.append((state.waitingWorkers.removeFirst(), nil))
                continue
            }
            break
        }
    }
}
