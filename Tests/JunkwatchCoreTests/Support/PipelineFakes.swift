import Foundation
import JunkwatchCore
import Synchronization

/// A ``DecisionStore`` in memory, with the same rules as the ledger.
final class MemoryStore: DecisionStore {
    struct Row: Sendable {
        var record: DecisionRecord
        var time: Date
    }

    private struct State {
        var rows: [Row] = []
        var cursor: String?
        var cursorHistory: [String] = []
        var failCommits = false
    }

    private let state = Mutex(State())

    var rows: [Row] { state.withLock { $0.rows } }

    var savedCursors: [String] { state.withLock { $0.cursorHistory } }

    /// Makes every following commit throw, as a full disk would.
    func breakCommits() { state.withLock { $0.failCommits = true } }

    func lastLearn(user: String, message: MessageReference, learner: String, since: Date) throws -> PriorLearn? {
        state.withLock { state in
            state.rows.last { row in
                row.record.user == user && row.record.learner == learner && row.time >= since
                    && (row.record.outcome == .learned || row.record.outcome == .alreadyLearned)
                    && (message.msgid.isEmpty
                        ? (row.record.mailbox == message.mailbox && row.record.uid == message.uid)
                        : row.record.msgid == message.msgid)
            }.map { PriorLearn(verdict: $0.record.verdict, outcome: $0.record.outcome!, time: $0.time) }
        }
    }

    func isRecorded(sourceCursor: String, learner: String) throws -> Bool {
        state.withLock { state in
            state.rows.contains {
                $0.record.sourceCursor == sourceCursor && $0.record.learner == learner && $0.record.outcome != .failed
            }
        }
    }

    func commit(_ records: [DecisionRecord], cursor: String?, at time: Date) throws {
        try state.withLock { state in
            if state.failCommits { throw FakeError(description: "disk full") }
            state.rows += records.map { Row(record: $0, time: time) }
            if let cursor {
                state.cursor = cursor
                state.cursorHistory.append(cursor)
            }
        }
    }

    func saveCursor(_ cursor: String) throws {
        state.withLock { state in
            state.cursor = cursor
            state.cursorHistory.append(cursor)
        }
    }

    func savedCursor() throws -> String? { state.withLock { $0.cursor } }

    func prune(before: Date) throws -> Int {
        state.withLock { state in
            let count = state.rows.count
            state.rows.removeAll { $0.time < before }
            return count - state.rows.count
        }
    }
}

struct FakeError: Error, CustomStringConvertible {
    var description: String
}

/// A fetcher that returns a message made from the locator, or what a test tells it to.
///
/// With `prefetches`, it also fetches several at once, leaving out the scripted ones (as doveadm's
/// batch leaves out what it does not find where it was logged).
final class FakeFetcher: MessageFetcher {
    private let results = Mutex<[String: [Result<FetchResult, StageError>]]>([:])
    private let calls = Mutex<[MessageLocator]>([])
    private let batches = Mutex<[[MessageLocator]]>([])
    private let prefetches: Bool

    init(prefetches: Bool = false) {
        self.prefetches = prefetches
    }

    /// The locators of each `prefetch` call, in order.
    var prefetched: [[MessageLocator]] { batches.withLock { $0 } }

    func prefetch(_ locators: [MessageLocator]) async -> [MessageLocator: FetchResult] {
        guard prefetches else { return [:] }
        batches.withLock { $0.append(locators) }
        let scripted = results.withLock { Set($0.keys) }
        var found: [MessageLocator: FetchResult] = [:]
        for locator in locators where !scripted.contains(locator.messageID ?? "") {
            found[locator] = Self.message(locator)
        }
        return found
    }

    private static func message(_ locator: MessageLocator) -> FetchResult {
        .message(Array("Message-ID: \(locator.messageID ?? "")\r\n\r\nbody".utf8), mailbox: locator.mailbox, uid: locator.uid ?? 0)
    }

    /// Makes the fetches of `msgid` return these results in turn, then the default.
    func script(_ msgid: String, _ sequence: [Result<FetchResult, StageError>]) {
        results.withLock { $0[msgid] = sequence }
    }

    var fetched: [MessageLocator] { calls.withLock { $0 } }

    func fetch(_ locator: MessageLocator, preferring verdict: MessageClass?) async throws -> FetchResult {
        calls.withLock { $0.append(locator) }
        let scripted = results.withLock { results -> Result<FetchResult, StageError>? in
            guard let id = locator.messageID, var sequence = results[id], !sequence.isEmpty else { return nil }
            let first = sequence.removeFirst()
            results[id] = sequence
            return first
        }
        if let scripted { return try scripted.get() }
        return Self.message(locator)
    }
}

/// A learner that remembers what it was asked, optionally waits on a gate, and answers as scripted.
final class FakeLearner: Learner {
    struct Call: Sendable, Equatable {
        var user: String
        var msgid: String
        var verdict: MessageClass
        var reversal: Bool
    }

    let name: String
    private let delay: Duration
    private let state = Mutex<(calls: [Call], inFlight: Int, maxInFlight: Int, scripted: [String: [LearnOutcome]])>(
        ([], 0, 0, [:])
    )
    private let gates = Mutex<[String: CheckedContinuation<Void, Never>]>([:])
    private let gated: Set<String>

    init(name: String = "fake", delay: Duration = .zero, gated: Set<String> = []) {
        self.name = name
        self.delay = delay
        self.gated = gated
    }

    var calls: [Call] { state.withLock { $0.calls } }
    var maxInFlight: Int { state.withLock { $0.maxInFlight } }

    /// Makes the learns of `msgid` answer these outcomes in turn, then `learned`.
    func script(_ msgid: String, _ outcomes: [LearnOutcome]) {
        state.withLock { $0.scripted[msgid] = outcomes }
    }

    /// Lets a gated learn of `msgid` finish.
    func open(_ msgid: String) async {
        while true {
            if let gate = gates.withLock({ $0.removeValue(forKey: msgid) }) {
                gate.resume()
                return
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    func learn(_ message: [UInt8], as verdict: MessageClass, locator: MessageLocator, reversal: Bool) async -> LearnOutcome {
        let msgid = locator.messageID ?? ""
        state.withLock { state in
            state.calls.append(Call(user: locator.user, msgid: msgid, verdict: verdict, reversal: reversal))
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
        }
        if gated.contains(msgid) {
            await withCheckedContinuation { continuation in
                gates.withLock { $0[msgid] = continuation }
            }
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        return state.withLock { state in
            state.inFlight -= 1
            if var outcomes = state.scripted[msgid], !outcomes.isEmpty {
                let outcome = outcomes.removeFirst()
                state.scripted[msgid] = outcomes
                return outcome
            }
            return .learned(detail: "learned")
        }
    }
}

/// Collects reported records.
final class CollectingReporter: DecisionReporter {
    private let collected = Mutex<[DecisionRecord]>([])
    var records: [DecisionRecord] { collected.withLock { $0 } }
    func report(_ record: DecisionRecord) async { collected.withLock { $0.append(record) } }
}

/// A verdict as the classifier makes it, for pipeline tests.
func makeVerdict(
    _ kind: Verdict.Kind,
    user: String,
    msgid: String,
    cursor: String? = nil,
    mailbox: String? = nil,
    uid: UInt32 = 1
) -> Verdict {
    let box = mailbox ?? (kind == .spam ? "Junk" : "INBOX")
    let event = MailEvent(
        kind: .copy,
        service: "imap",
        user: user,
        source: kind == .spam ? "INBOX" : "Junk",
        mailbox: box,
        uid: uid,
        msgid: msgid,
        size: 100,
        cursor: cursor,
        realtime: 1_700_000_000_000_000
    )
    return Verdict(
        kind: kind,
        user: user,
        message: MessageReference(mailbox: box, uid: uid, msgid: msgid, size: 100),
        event: event,
        reason: kind == .spam ? "copied into Junk" : "copied out of Junk"
    )
}
