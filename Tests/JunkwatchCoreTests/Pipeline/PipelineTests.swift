import Foundation
import JunkwatchCore
import Synchronization
import TestSupport
import Testing

@Suite("Pipeline")
struct PipelineTests {
    private func pipeline(
        learners: [any Learner],
        fetcher: FakeFetcher = FakeFetcher(),
        store: MemoryStore = MemoryStore(),
        reporter: CollectingReporter = CollectingReporter(),
        settings: Pipeline.Settings = Pipeline.Settings(retry: RetryPolicy(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(4))),
        events: @escaping @Sendable (Pipeline.Event) -> Void = { _ in }
    ) -> Pipeline {
        Pipeline(fetcher: fetcher, learners: learners, store: store, reporter: reporter, settings: settings, events: events)
    }

    @Test("each user's verdicts are learned in order, users at the same time, never more than the bound")
    func orderPerUserConcurrencyAcrossUsers() async throws {
        let learner = FakeLearner(delay: .milliseconds(2))
        var settings = Pipeline.Settings()
        settings.usersInFlight = 3
        settings.queueCapacity = 8
        let pipeline = self.pipeline(learners: [learner], settings: settings)
        let users = ["alice", "bob", "carol o'neil", "dave smith", "x$(reboot)"]
        async let summary = pipeline.run()
        var generator = SeededGenerator(seed: 7)
        var sent: [String: [String]] = [:]
        for index in 0..<200 {
            let user = users.randomElement(using: &generator)!
            let msgid = "<m\(index)@x>"
            sent[user, default: []].append(msgid)
            await pipeline.submit(makeVerdict(index % 3 == 0 ? .ham : .spam, user: user, msgid: msgid, cursor: "c\(index)"))
        }
        pipeline.finishInput()
        let result = try await summary
        #expect(result.decisions == 200)
        #expect(result.outcomes[.learned] == 200)
        for user in users {
            #expect(learner.calls.filter { $0.user == user }.map(\.msgid) == sent[user, default: []])
        }
        #expect(learner.maxInFlight > 1)
        #expect(learner.maxInFlight <= 3)
    }

    @Test("one record per learner, each stored and reported with the cursor")
    func oneRecordPerLearner() async throws {
        let bayes = FakeLearner(name: "bayes")
        let fuzzy = FakeLearner(name: "fuzzy")
        fuzzy.script("<short@x>", [.skipped(reason: "no content to generate fuzzy")])
        let store = MemoryStore()
        let reporter = CollectingReporter()
        let pipeline = self.pipeline(learners: [bayes, fuzzy], store: store, reporter: reporter)
        async let summary = pipeline.run()
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<short@x>", cursor: "c1"))
        pipeline.finishInput()
        let result = try await summary
        #expect(result.byLearner["bayes"] == [.learned: 1])
        #expect(result.byLearner["fuzzy"] == [.skipped: 1])
        #expect(store.rows.map(\.record.learner) == ["bayes", "fuzzy"])
        #expect(Set(reporter.records.map(\.learner)) == ["bayes", "fuzzy"])
        #expect(reporter.records.allSatisfy { $0.sourceCursor == "c1" && $0.user == "alice" })
        #expect(try store.savedCursor() == "c1")
        let skipped = try #require(reporter.records.first { $0.learner == "fuzzy" })
        #expect(skipped.reason.contains("no content to generate fuzzy"))
        #expect(skipped.reason.contains("copied into Junk"))
    }

    @Test("gone, too large and an unknown user end as outcomes for every learner, without a learn")
    func fetchOutcomes() async throws {
        let learner = FakeLearner()
        let fetcher = FakeFetcher()
        fetcher.script("<gone@x>", [.success(.gone(reason: "no message with that Message-ID"))])
        fetcher.script("<big@x>", [.success(.tooLarge(size: 31_457_280, limit: 1_048_576))])
        fetcher.script("<nouser@x>", [.failure(.permanent("doveadm: unknown user"))])
        let reporter = CollectingReporter()
        let pipeline = self.pipeline(learners: [learner], fetcher: fetcher, reporter: reporter)
        async let summary = pipeline.run()
        for msgid in ["<gone@x>", "<big@x>", "<nouser@x>"] {
            await pipeline.submit(makeVerdict(.ham, user: "bob", msgid: msgid))
        }
        pipeline.finishInput()
        let result = try await summary
        #expect(learner.calls.isEmpty)
        #expect(result.outcomes == [.gone: 1, .skipped: 1, .failed: 1])
        let byID = Dictionary(uniqueKeysWithValues: reporter.records.map { ($0.msgid, $0) })
        #expect(byID["<big@x>"]?.reason.contains("31457280 bytes") == true)
        #expect(byID["<big@x>"]?.reason.contains("doveadm.max_message_size") == true)
        #expect(byID["<nouser@x>"]?.reason.contains("unknown user") == true)
    }

    @Test("a transient failure is retried until it works, and said so")
    func transientRetried() async throws {
        let learner = FakeLearner()
        learner.script("<m@x>", [.failed(.transient("connection refused")), .failed(.transient("connection refused"))])
        let fetcher = FakeFetcher()
        fetcher.script("<m@x>", [.failure(.transient("doveadm exit 75"))])
        let seen = Mutex<[String]>([])
        let pipeline = self.pipeline(learners: [learner], fetcher: fetcher) { event in
            switch event {
            case .retrying(let stage, _, let error, let attempt, _): seen.withLock { $0.append("\(stage) \(attempt) \(error.message)") }
            case .recovered(let stage, _, let attempts): seen.withLock { $0.append("\(stage) ok after \(attempts)") }
            }
        }
        async let summary = pipeline.run()
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<m@x>"))
        pipeline.finishInput()
        let result = try await summary
        #expect(result.outcomes == [.learned: 1])
        #expect(learner.calls.count == 3)
        #expect(fetcher.fetched.count == 2)
        #expect(
            seen.withLock { $0 } == [
                "fetch 1 doveadm exit 75", "fetch ok after 2", "fake 1 connection refused", "fake 2 connection refused",
                "fake ok after 3",
            ]
        )
    }

    @Test("with a limit on attempts, a failure that persists is recorded as failed")
    func attemptsRunOut() async throws {
        let learner = FakeLearner()
        learner.script("<m@x>", Array(repeating: .failed(.transient("HTTP 503")), count: 5))
        var settings = Pipeline.Settings()
        settings.retry = RetryPolicy(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(1), attempts: 3)
        let reporter = CollectingReporter()
        let pipeline = self.pipeline(learners: [learner], reporter: reporter, settings: settings)
        async let summary = pipeline.run()
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<m@x>"))
        pipeline.finishInput()
        let result = try await summary
        #expect(result.failed == 1)
        #expect(learner.calls.count == 3)
        #expect(reporter.records.first?.reason.contains("HTTP 503") == true)
    }

    @Test("after a stage ran out of attempts, later messages try it once without waiting, until it works again")
    func exhaustedStageFailsFast() async throws {
        let learner = FakeLearner()
        let down = Array(repeating: LearnOutcome.failed(.transient("connection refused")), count: 5)
        for id in ["<1@x>", "<2@x>", "<3@x>", "<5@x>"] { learner.script(id, down) }
        var settings = Pipeline.Settings()
        settings.retry = RetryPolicy(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(1), attempts: 3)
        let reporter = CollectingReporter()
        let pipeline = self.pipeline(learners: [learner], reporter: reporter, settings: settings)
        async let summary = pipeline.run()
        for id in 1...5 { await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<\(id)@x>")) }
        pipeline.finishInput()
        let result = try await summary
        #expect(result.outcomes == [.failed: 4, .learned: 1])
        let calls = Dictionary(grouping: learner.calls, by: \.msgid).mapValues(\.count)
        // <1@x> uses its 3 attempts; <2@x> and <3@x> get one each; <4@x> works; <5@x> has 3 again.
        #expect(calls == ["<1@x>": 3, "<2@x>": 1, "<3@x>": 1, "<4@x>": 1, "<5@x>": 3])
        let second = try #require(reporter.records.first { $0.msgid == "<2@x>" })
        #expect(second.reason.contains("tried once: fake ran out of retries just before"), "\(second.reason)")
        let fifth = try #require(reporter.records.first { $0.msgid == "<5@x>" })
        #expect(!fifth.reason.contains("tried once"), "\(fifth.reason)")
    }

    @Test("a configuration error is not retried by a replay, and retried by a service")
    func configurationErrors() async throws {
        let learner = FakeLearner()
        learner.script("<m@x>", [.failed(.configuration("rspamd refused the password"))])
        let replay = self.pipeline(learners: [learner])
        async let first = replay.run()
        await replay.submit(makeVerdict(.spam, user: "alice", msgid: "<m@x>"))
        replay.finishInput()
        #expect(try await first.failed == 1)

        let again = FakeLearner()
        again.script("<m@x>", [.failed(.configuration("rspamd refused the password"))])
        var settings = Pipeline.Settings()
        settings.retry = RetryPolicy(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(1), retriesConfigurationErrors: true)
        let service = self.pipeline(learners: [again], settings: settings)
        async let second = service.run()
        await service.submit(makeVerdict(.spam, user: "alice", msgid: "<m@x>"))
        service.finishInput()
        #expect(try await second.outcomes == [.learned: 1])
    }

    @Test("a replay stops at a configuration error, after recording it")
    func stopsOnConfigurationError() async throws {
        let learner = FakeLearner()
        learner.script("<m1@x>", [.failed(.configuration("rspamd refused the password from the file /etc/p"))])
        var settings = Pipeline.Settings()
        settings.usersInFlight = 1
        settings.stopsOnConfigurationError = true
        let store = MemoryStore()
        let pipeline = self.pipeline(learners: [learner], store: store, settings: settings)
        let run = Task { try await pipeline.run() }
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<m1@x>"))
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<m2@x>"))
        pipeline.finishInput()
        await #expect(throws: StageError.configuration("rspamd refused the password from the file /etc/p")) {
            try await run.value
        }
        #expect(learner.calls.map(\.msgid) == ["<m1@x>"])
        #expect(store.rows.map(\.record.outcome) == [.failed])
    }

    @Test("the same verdict again is not sent; a reversal is, marked as one")
    func dedupeAndReversal() async throws {
        let learner = FakeLearner()
        let store = MemoryStore()
        let reporter = CollectingReporter()
        let pipeline = self.pipeline(learners: [learner], store: store, reporter: reporter)
        async let summary = pipeline.run()
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<m@x>", cursor: "c1"))
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<m@x>", cursor: "c2"))
        await pipeline.submit(makeVerdict(.ham, user: "alice", msgid: "<m@x>", cursor: "c3"))
        await pipeline.submit(makeVerdict(.spam, user: "bob", msgid: "<m@x>", cursor: "c4"))
        pipeline.finishInput()
        let result = try await summary
        #expect(learner.calls.filter { $0.user == "alice" } == [
            .init(user: "alice", msgid: "<m@x>", verdict: .spam, reversal: false),
            .init(user: "alice", msgid: "<m@x>", verdict: .ham, reversal: true),
        ])
        #expect(learner.calls.filter { $0.user == "bob" } == [
            .init(user: "bob", msgid: "<m@x>", verdict: .spam, reversal: false)
        ])
        #expect(result.outcomes == [.learned: 3, .alreadyLearned: 1])
        let duplicate = try #require(reporter.records.first { $0.sourceCursor == "c2" })
        #expect(duplicate.outcome == .alreadyLearned)
        #expect(duplicate.reason.contains("not sent again"))
        #expect(reporter.records.first { $0.sourceCursor == "c3" }?.reason.contains("reversal") == true)
    }

    @Test("--force sends what the store remembers")
    func force() async throws {
        let learner = FakeLearner()
        var settings = Pipeline.Settings()
        settings.force = true
        let pipeline = self.pipeline(learners: [learner], settings: settings)
        async let summary = pipeline.run()
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<m@x>"))
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<m@x>"))
        pipeline.finishInput()
        #expect(try await summary.outcomes == [.learned: 2])
        #expect(learner.calls.count == 2)
    }

    @Test("an entry finished before a crash is not learned or recorded again")
    func finishedBeforeCrash() async throws {
        let learner = FakeLearner()
        let store = MemoryStore()
        try store.commit(
            [DecisionRecord(verdict: makeVerdict(.spam, user: "alice", msgid: "<m@x>", cursor: "c1"), learner: "fake", outcome: .learned)],
            cursor: nil,
            at: Date()
        )
        let reporter = CollectingReporter()
        let pipeline = self.pipeline(learners: [learner], store: store, reporter: reporter)
        async let summary = pipeline.run()
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<m@x>", cursor: "c1"))
        pipeline.finishInput()
        _ = try await summary
        #expect(learner.calls.isEmpty)
        #expect(reporter.records.isEmpty)
        #expect(store.rows.count == 1)
        #expect(try store.savedCursor() == "c1")
    }

    @Test("an entry that failed before is tried again; one that was learned or skipped is not")
    func failedBeforeTriedAgain() async throws {
        let learner = FakeLearner()
        let store = MemoryStore()
        let failed = makeVerdict(.spam, user: "alice", msgid: "<failed@x>", cursor: "c1")
        let skipped = makeVerdict(.spam, user: "alice", msgid: "<skipped@x>", cursor: "c2")
        try store.commit(
            [
                DecisionRecord(verdict: failed, learner: "fake", outcome: .failed),
                DecisionRecord(verdict: skipped, learner: "fake", outcome: .skipped),
            ],
            cursor: nil,
            at: Date()
        )
        let pipeline = self.pipeline(learners: [learner], store: store)
        async let summary = pipeline.run()
        await pipeline.submit(failed)
        await pipeline.submit(skipped)
        pipeline.finishInput()
        let result = try await summary
        #expect(learner.calls.map(\.msgid) == ["<failed@x>"])
        #expect(result.outcomes == [.learned: 1])
        #expect(result.recordedBefore == 1)
    }

    @Test("the saved cursor never passes an unfinished entry")
    func lowWatermark() async throws {
        let learner = FakeLearner(gated: ["<slow@x>"])
        let store = MemoryStore()
        let pipeline = self.pipeline(learners: [learner], store: store)
        async let summary = pipeline.run()
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<slow@x>", cursor: "c1"))
        await pipeline.submit(makeVerdict(.spam, user: "bob", msgid: "<b1@x>", cursor: "c2"))
        try pipeline.pass(cursor: "c3")
        await pipeline.submit(makeVerdict(.spam, user: "bob", msgid: "<b2@x>", cursor: "c4"))
        // bob's two finish while alice's first is still learning.
        while store.rows.count < 2 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(try store.savedCursor() == nil)
        await learner.open("<slow@x>")
        while store.rows.count < 3 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(try store.savedCursor() == "c4")
        try pipeline.pass(cursor: "c5")
        #expect(try store.savedCursor() == "c5")
        pipeline.finishInput()
        _ = try await summary
        #expect(store.savedCursors == ["c4", "c5"])
    }

    @Test("stopping abandons a retry and queued work without storing them")
    func stopAbandons() async throws {
        let learner = FakeLearner()
        learner.script("<down@x>", Array(repeating: .failed(.transient("connection refused")), count: 1000))
        let store = MemoryStore()
        var settings = Pipeline.Settings()
        settings.usersInFlight = 1
        settings.retry = RetryPolicy(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(20))
        let retried = Atomic<Int>(0)
        let pipeline = self.pipeline(learners: [learner], store: store, settings: settings) { event in
            if case .retrying = event { retried.add(1, ordering: .relaxed) }
        }
        async let summary = pipeline.run()
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<ok@x>", cursor: "c1"))
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<down@x>", cursor: "c2"))
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<later@x>", cursor: "c3"))
        while retried.load(ordering: .relaxed) < 2 { try await Task.sleep(for: .milliseconds(5)) }
        pipeline.stop()
        let result = try await summary
        #expect(result.decisions == 1)
        #expect(result.unfinished == 1)
        #expect(store.rows.map(\.record.msgid) == ["<ok@x>"])
        #expect(try store.savedCursor() == "c1")
        #expect(await pipeline.submit(makeVerdict(.spam, user: "bob", msgid: "<after@x>")) == false)
    }

    @Test("a user's queued verdicts are fetched together, and each still deduped against the ones before")
    func batchedFetch() async throws {
        let learner = FakeLearner()
        let fetcher = FakeFetcher(prefetches: true)
        let store = MemoryStore()
        var settings = Pipeline.Settings()
        settings.usersInFlight = 1
        settings.batch = 4
        let pipeline = self.pipeline(learners: [learner], fetcher: fetcher, store: store, settings: settings)
        // Queued before the workers start, so that they find them waiting.
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<a@x>", cursor: "c1", uid: 1))
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<a@x>", cursor: "c2", uid: 1))
        await pipeline.submit(makeVerdict(.ham, user: "alice", msgid: "<a@x>", cursor: "c3", uid: 8))
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<b@x>", cursor: "c4", uid: 2))
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<c@x>", cursor: "c5", uid: 3))
        await pipeline.submit(makeVerdict(.spam, user: "bob", msgid: "<d@x>", cursor: "c6", uid: 1))
        pipeline.finishInput()
        let result = try await pipeline.run()
        #expect(result.decisions == 6)
        #expect(result.outcomes == [.learned: 5, .alreadyLearned: 1])
        // alice's first four in one call, her fifth alone (nothing to fetch together), bob's alone.
        #expect(fetcher.prefetched.map { $0.map(\.uid) } == [[1, 1, 8, 2]])
        #expect(fetcher.fetched.compactMap(\.messageID).sorted() == ["<c@x>", "<d@x>"])
        #expect(learner.calls.filter { $0.user == "alice" } == [
            .init(user: "alice", msgid: "<a@x>", verdict: .spam, reversal: false),
            .init(user: "alice", msgid: "<a@x>", verdict: .ham, reversal: true),
            .init(user: "alice", msgid: "<b@x>", verdict: .spam, reversal: false),
            .init(user: "alice", msgid: "<c@x>", verdict: .spam, reversal: false),
        ])
        #expect(store.rows.compactMap(\.record.sourceCursor).sorted() == ["c1", "c2", "c3", "c4", "c5", "c6"])
        #expect(store.rows.first { $0.record.sourceCursor == "c2" }?.record.outcome == .alreadyLearned)
    }

    @Test("what a batch leaves out is fetched on its own; what the store has done is not fetched at all")
    func batchLeavesOut() async throws {
        let learner = FakeLearner()
        let fetcher = FakeFetcher(prefetches: true)
        fetcher.script("<moved@x>", [.success(.message(Array("moved".utf8), mailbox: "Archive", uid: 40))])
        let store = MemoryStore()
        var done = DecisionRecord(verdict: makeVerdict(.spam, user: "alice", msgid: "<done@x>", cursor: "c0"), learner: "fake", outcome: .learned)
        done.reason = "learned before"
        try store.commit([done], cursor: nil, at: Date())
        var settings = Pipeline.Settings()
        settings.usersInFlight = 1
        let pipeline = self.pipeline(learners: [learner], fetcher: fetcher, store: store, settings: settings)
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<done@x>", cursor: "c0", uid: 1))
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<moved@x>", cursor: "c1", uid: 2))
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<here@x>", cursor: "c2", uid: 3))
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<here2@x>", cursor: "c3", uid: 4))
        pipeline.finishInput()
        let result = try await pipeline.run()
        #expect(fetcher.prefetched.map { $0.map(\.uid) } == [[2, 3, 4]])
        #expect(fetcher.fetched.map(\.messageID) == ["<moved@x>"])
        #expect(result.recordedBefore == 1)
        #expect(result.outcomes == [.learned: 3])
        let moved = try #require(store.rows.first { $0.record.sourceCursor == "c1" })
        #expect(moved.record.reason.contains("found in \"Archive\" uid 40"))
    }

    @Test("stopping in the middle of a batch finishes the message in hand and leaves the rest for the next run")
    func stopInBatch() async throws {
        let learner = FakeLearner(gated: ["<m1@x>"])
        let fetcher = FakeFetcher(prefetches: true)
        let store = MemoryStore()
        var settings = Pipeline.Settings()
        settings.usersInFlight = 1
        let pipeline = self.pipeline(learners: [learner], fetcher: fetcher, store: store, settings: settings)
        for index in 0..<5 {
            await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<m\(index)@x>", cursor: "c\(index)", uid: UInt32(index + 1)))
        }
        async let summary = pipeline.run()
        while !learner.calls.contains(where: { $0.msgid == "<m1@x>" }) { try await Task.sleep(for: .milliseconds(5)) }
        pipeline.stop()
        await learner.open("<m1@x>")
        let result = try await summary
        #expect(fetcher.prefetched.count == 1)
        #expect(result.decisions == 2)
        #expect(store.rows.map(\.record.msgid) == ["<m0@x>", "<m1@x>"])
        #expect(try store.savedCursor() == "c1")
        #expect(learner.calls.count == 2)
    }

    @Test("a store that cannot write stops the run with its error")
    func storeFailureIsFatal() async throws {
        let store = MemoryStore()
        store.breakCommits()
        let pipeline = self.pipeline(learners: [FakeLearner()], store: store)
        let run = Task { try await pipeline.run() }
        await pipeline.submit(makeVerdict(.spam, user: "alice", msgid: "<m@x>", cursor: "c1"))
        pipeline.finishInput()
        await #expect(throws: FakeError.self) { try await run.value }
    }

    @Test("a full queue makes a producer thread wait until a worker makes room")
    func backpressure() async throws {
        let learner = FakeLearner(gated: ["<m0@x>"])
        var settings = Pipeline.Settings()
        settings.queueCapacity = 2
        settings.usersInFlight = 1
        let pipeline = self.pipeline(learners: [learner], settings: settings)
        async let summary = pipeline.run()
        let submitted = Atomic<Int>(0)
        let producer = Thread {
            for index in 0..<4 {
                pipeline.submitWaiting(makeVerdict(.spam, user: "alice", msgid: "<m\(index)@x>"))
                submitted.add(1, ordering: .relaxed)
            }
            pipeline.finishInput()
        }
        producer.start()
        try await Task.sleep(for: .milliseconds(200))
        #expect(submitted.load(ordering: .relaxed) == 2)
        #expect(pipeline.backlog == 2)
        await learner.open("<m0@x>")
        let result = try await summary
        #expect(submitted.load(ordering: .relaxed) == 4)
        #expect(result.outcomes == [.learned: 4])
    }
}

@Suite("RetryPolicy")
struct RetryPolicyTests {
    @Test("the wait doubles up to the maximum")
    func backoff() {
        let policy = RetryPolicy(initialDelay: .seconds(1), maximumDelay: .seconds(10))
        #expect((1...6).map { policy.delay(afterAttempt: $0) } == [1, 2, 4, 8, 10, 10].map { .seconds($0) })
    }

    @Test("permanent errors are never retried; transient ones up to the attempts")
    func which() {
        let limited = RetryPolicy(attempts: 2)
        #expect(limited.retries(.transient("x"), afterAttempt: 1))
        #expect(!limited.retries(.transient("x"), afterAttempt: 2))
        #expect(!limited.retries(.permanent("x"), afterAttempt: 1))
        #expect(!limited.retries(.configuration("x"), afterAttempt: 1))
        #expect(RetryPolicy(retriesConfigurationErrors: true).retries(.configuration("x"), afterAttempt: 100))
    }
}
