import Synchronization
public import Testing

/// Who may use the testbed's rspamd while a test runs: tests that need it up share it; a test
/// that stops it (`JUNKWATCH_TESTBED_RSPAMD_STOP`) has it to itself, so that no other suite sees
/// it down.
///
/// Swift Testing runs suites in parallel, and `.serialized` orders the tests of one suite only;
/// all test targets run in one process, so this gate is shared by every suite that names it.
///
/// ```swift
/// @Suite(.usesTestbedRspamd) struct RspamdTests {
///     @Test(.stopsTestbedRspamd) func rspamdDown() async throws { ... }
/// }
/// ```
public struct TestbedRspamdAccess: TestTrait, SuiteTrait, TestScoping {
    /// Shared (rspamd must stay up) or exclusive (the test stops it).
    public enum Mode: Sendable {
        case shared
        case exclusive
    }

    /// How the test uses rspamd.
    public var mode: Mode

    /// On a suite it applies to every test in it, where a test's own `.stopsTestbedRspamd` wins.
    public var isRecursive: Bool { true }

    /// Scopes each test run (each case), not the suite as a whole: a suite-wide hold would keep
    /// an exclusive test in another suite waiting for all of this suite.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        guard testCase != nil else { return nil }
        if mode == .shared,
            test.traits.contains(where: { ($0 as? TestbedRspamdAccess)?.mode == .exclusive })
        {
            return nil
        }
        return self
    }

    /// Runs `function` holding the gate in ``mode``.
    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        await Self.gate.acquire(mode)
        defer { Self.gate.release(mode) }
        try await function()
    }

    static let gate = ReadersWriterGate()
}

extension Trait where Self == TestbedRspamdAccess {
    /// The test needs the testbed's rspamd up: it waits while a test that stops rspamd runs.
    public static var usesTestbedRspamd: Self { TestbedRspamdAccess(mode: .shared) }

    /// The test stops the testbed's rspamd: it waits for every test using rspamd to end, and
    /// none starts until it has ended.
    public static var stopsTestbedRspamd: Self { TestbedRspamdAccess(mode: .exclusive) }
}

/// A first-come, first-served readers-writer gate for tasks.
final class ReadersWriterGate: Sendable {
    private struct State: ~Copyable {
        var readers = 0
        var writer = false
        var waiting: [(mode: TestbedRspamdAccess.Mode, continuation: CheckedContinuation<Void, Never>)] = []

        func admits(_ mode: TestbedRspamdAccess.Mode) -> Bool {
            switch mode {
            case .shared: !writer
            case .exclusive: !writer && readers == 0
            }
        }

        mutating func enter(_ mode: TestbedRspamdAccess.Mode) {
            switch mode {
            case .shared: readers += 1
            case .exclusive: writer = true
            }
        }

        /// Admits waiters from the front of the line as long as they fit.
        mutating func admitWaiting() -> [CheckedContinuation<Void, Never>] {
            var admitted: [CheckedContinuation<Void, Never>] = []
            while let first = waiting.first, admits(first.mode) {
                waiting.removeFirst()
                enter(first.mode)
                admitted.append(first.continuation)
            }
            return admitted
        }
    }

    private let state = Mutex(State())

    func acquire(_ mode: TestbedRspamdAccess.Mode) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { state -> Bool in
                // Nobody overtakes a waiting writer, so a writer is not starved by readers.
                guard state.waiting.isEmpty, state.admits(mode) else {
                    state.waiting.append((mode, continuation))
                    return false
                }
                state.enter(mode)
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    func release(_ mode: TestbedRspamdAccess.Mode) {
        let admitted = state.withLock { state in
            switch mode {
            case .shared: state.readers -= 1
            case .exclusive: state.writer = false
            }
            return state.admitWaiting()
        }
        for continuation in admitted { continuation.resume() }
    }
}
