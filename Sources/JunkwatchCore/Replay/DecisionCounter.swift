/// Counts a scan's decisions per user, cheaply enough to do for every decision on the scan's
/// thread.
///
/// A `[String: Counts]` update per decision cost the dry-run scan about 5% of its time, nearly
/// all of it in hashing the name with `Hasher`. This is an open-addressing table instead, keyed
/// by the name's FNV-1a hash, which compares names only when hashes match. Names are users of
/// the mail server, not chosen by senders, and the table only counts: no need for a seeded hash.
/// ``finish()`` hands the counts over as a ``ReplayTally``.
public struct DecisionCounter: Sendable {
    private struct Slot: Sendable {
        /// The name's hash with the low bit set; 0 marks an empty slot.
        var hash: UInt64 = 0
        var name = ""
        var ham = 0
        var spam = 0
    }

    private var slots = [Slot](repeating: Slot(), count: 1024)
    private var used = 0

    /// A counter with nothing counted.
    public init() {}

    /// Counts a decision.
    public mutating func add(_ verdict: Verdict) {
        let name = verdict.user
        let hash = Self.hash(name)
        var mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash >> 1) & mask
        while true {
            let found = slots[index].hash
            if found == hash && slots[index].name == name { break }
            if found == 0 {
                // Kept at most half full, so that probes stay short.
                if (used + 1) * 2 > slots.count {
                    grow()
                    mask = slots.count - 1
                    index = Int(truncatingIfNeeded: hash >> 1) & mask
                    continue
                }
                slots[index] = Slot(hash: hash, name: name)
                used += 1
                break
            }
            index = (index + 1) & mask
        }
        switch verdict.kind {
        case .ham: slots[index].ham += 1
        case .spam: slots[index].spam += 1
        }
    }

    /// The decisions counted.
    public func finish() -> ReplayTally {
        var tally = ReplayTally()
        for slot in slots where slot.hash != 0 {
            tally.add(user: slot.name, ham: slot.ham, spam: slot.spam)
        }
        return tally
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot.hash != 0 {
            var index = Int(truncatingIfNeeded: slot.hash >> 1) & mask
            while slots[index].hash != 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }

    /// FNV-1a over the name's UTF-8, low bit set so that no name hashes to "empty".
    private static func hash(_ name: String) -> UInt64 {
        var name = name
        return name.withUTF8 { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            return hash | 1
        }
    }
}
