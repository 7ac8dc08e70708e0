import TestSupport
import Testing

@testable import JunkwatchCore

@Suite("Classifier memory")
struct ClassifierMemoryTests {
    /// The memory as it was first written: one dictionary whose entries carry their generation,
    /// filtered when the bound is passed. `Classifier.Memory` must remember exactly what it did.
    struct Model {
        typealias Key = Classifier.MessageKey
        typealias Entry = Classifier.Memory.Entry

        let capacity: Int
        var slots: [Key: (entry: Entry, generation: Int)] = [:]
        var generation = 0
        var writesInGeneration = 0

        mutating func recall(_ key: Key) -> Entry? { slots[key]?.entry }

        mutating func remember(_ entry: Entry, for key: Key) {
            slots[key] = (entry, generation)
            writesInGeneration += 1
            if writesInGeneration >= capacity / 2 {
                generation += 1
                writesInGeneration = 0
            }
            if slots.count > capacity {
                slots = slots.filter { $0.value.generation >= generation - 1 }
            }
        }
    }

    @Test(
        "remembers what the one-dictionary memory remembered, on repeats and new messages",
        arguments: [
            (capacity: 10, keys: 8), (capacity: 10, keys: 30), (capacity: 101, keys: 120), (capacity: 64, keys: 1000),
        ]
    )
    func agreesWithModel(capacity: Int, keys: Int) {
        var memory = Classifier.Memory(capacity: capacity)
        var model = Model(capacity: capacity)
        var random = SeededGenerator(seed: UInt64(capacity * 7919 + keys))
        for step in 0..<20_000 {
            // Phases of few and of many different messages, so that the bound is passed sometimes.
            let spread = (step / 2_000) % 2 == 0 ? max(2, keys / 4) : keys
            let number = Int.random(in: 0..<spread, using: &random)
            let key =
                number % 3 == 0
                ? Classifier.MessageKey(user: "u\(number % 5)", msgid: "", mailbox: "INBOX", uid: UInt32(number))
                : Classifier.MessageKey(user: "u\(number % 5)", msgid: "<\(number)@x>", mailbox: "", uid: 0)
            let recalled = memory.recall(key)
            #expect(recalled.entry == model.recall(key), "step \(step)")
            if step % 5 == 0 {
                // Another lookup in between: remember must not trust the first one's place.
                _ = memory.recall(Classifier.MessageKey(user: "other", msgid: "<\(step)@x>", mailbox: "", uid: 0))
            }
            let entry = Classifier.Memory.Entry(verdict: step % 2 == 0 ? .spam : .ham, spamFlag: step % 3 == 0)
            memory.remember(entry, for: key, after: recalled)
            model.remember(entry, for: key)
            #expect(memory.count == model.slots.count, "step \(step)")
            #expect(memory.count <= max(capacity, 2))
        }
    }

    @Test("keys for a Message-ID and for a mailbox and UID never meet")
    func keys() {
        let byID = Classifier.MessageKey(user: "alice", msgid: "<1@x>", mailbox: "", uid: 0)
        let byUID = Classifier.MessageKey(user: "alice", msgid: "", mailbox: "<1@x>", uid: 0)
        #expect(byID != byUID)
        #expect(byID == Classifier.MessageKey(user: "alice", msgid: "<1@x>", mailbox: "", uid: 0))
        #expect(byID != Classifier.MessageKey(user: "bob", msgid: "<1@x>", mailbox: "", uid: 0))
    }
}

extension ClassifierMemoryTests {
    @Test("names that are equal strings in different bytes are one message, as with String keys")
    func canonicalEquivalence() {
        var memory = Classifier.Memory(capacity: 100)
        let composed = Classifier.MessageKey(user: "ren\u{E9}", msgid: "<caf\u{E9}@x>", mailbox: "", uid: 0)
        let decomposed = Classifier.MessageKey(user: "rene\u{301}", msgid: "<cafe\u{301}@x>", mailbox: "", uid: 0)
        #expect(composed == decomposed)
        memory.remember(Classifier.Memory.Entry(verdict: .spam), for: composed, after: memory.recall(composed))
        #expect(memory.recall(decomposed).entry?.verdict == .spam)
        let byUID = Classifier.MessageKey(user: "rene\u{301}", msgid: "", mailbox: "M\u{FC}ll", uid: 7)
        memory.remember(Classifier.Memory.Entry(verdict: .ham), for: byUID, after: memory.recall(byUID))
        let byUIDComposed = Classifier.MessageKey(user: "ren\u{E9}", msgid: "", mailbox: "Mu\u{308}ll", uid: 7)
        #expect(memory.recall(byUIDComposed).entry?.verdict == .ham)
        #expect(memory.count == 2)
    }
}
