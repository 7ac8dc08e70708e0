#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Classifier {
    /// Identifies a message within one user's mail: by Message-ID, or by mailbox and UID when the
    /// message has none.
    struct MessageKey: Hashable, Sendable {
        let user: String
        let msgid: String
        let mailbox: String
        let uid: UInt32
        /// The fields' hash, as `Hasher` makes it: equal keys (by `String`'s `==`) have equal
        /// fingerprints. `Hasher` is seeded at random per process, so a sender who controls
        /// Message-IDs cannot choose ones that collide, and a collision costs only a comparison:
        /// equal fingerprints still compare the fields.
        let fingerprint: Int

        init(user: String, msgid: String, mailbox: String, uid: UInt32) {
            self.user = user
            self.msgid = msgid
            self.mailbox = mailbox
            self.uid = uid
            // Hash only what identifies the message: the empty fields add nothing but time.
            var hasher = Hasher()
            hasher.combine(user)
            if msgid.isEmpty {
                hasher.combine(mailbox)
                hasher.combine(uid)
            } else {
                hasher.combine(msgid)
            }
            fingerprint = hasher.finalize()
        }

        /// The key of the message an event is about; `nil` when the event names it neither way.
        /// (A function, not an initializer: it only borrows the event.)
        static func identifying(_ event: MailEvent) -> MessageKey? {
            if !event.msgid.isEmpty {
                return MessageKey(user: event.user, msgid: event.msgid, mailbox: "", uid: 0)
            } else if let uid = event.uid {
                return MessageKey(user: event.user, msgid: "", mailbox: event.mailbox, uid: uid)
            } else {
                return nil
            }
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(fingerprint)
        }

        static func == (left: MessageKey, right: MessageKey) -> Bool {
            left.fingerprint == right.fingerprint && left.uid == right.uid && left.user == right.user
                && left.msgid == right.msgid && left.mailbox == right.mailbox
        }

        /// The key as bytes, for `Memory` to store: a tag, the user, 0xFF (which UTF-8 never
        /// holds), then the Message-ID, or the UID (4 bytes) and the mailbox.
        func encode(into bytes: inout [UInt8]) {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(msgid.isEmpty ? Self.byUID : Self.byMessageID)
            bytes.append(utf8: user)
            bytes.append(0xFF)
            if msgid.isEmpty {
                withUnsafeBytes(of: uid.littleEndian) { bytes.append(contentsOf: $0) }
                bytes.append(utf8: mailbox)
            } else {
                bytes.append(utf8: msgid)
            }
        }

        /// The key that `encode` wrote.
        init(decoding bytes: UnsafeRawBufferPointer, fingerprint: Int) {
            let separator = bytes.firstIndex(of: 0xFF) ?? bytes.count
            user = String(decoding: bytes[1..<separator], as: UTF8.self)
            let rest = bytes[min(separator + 1, bytes.count)...]
            if bytes.first == Self.byUID && rest.count >= 4 {
                uid = rest.prefix(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
                mailbox = String(decoding: rest.dropFirst(4), as: UTF8.self)
                msgid = ""
            } else {
                uid = 0
                mailbox = ""
                msgid = String(decoding: rest, as: UTF8.self)
            }
            self.fingerprint = fingerprint
        }

        private static let byMessageID: UInt8 = 1
        private static let byUID: UInt8 = 2
    }

    /// What the classifier remembers of recent messages, in bounded memory.
    ///
    /// Entries carry the generation in which they were last written; a new generation starts
    /// every `capacity / 2` writes, and when more than `capacity` messages are remembered, those
    /// not written in the current or the previous generation are dropped. Two generations hold
    /// at most `capacity` writes, so memory stays within `capacity` entries; a message in use
    /// stays remembered; each event costs one lookup and one write, and the occasional sweep
    /// is paid for by the `capacity / 2` writes before it.
    ///
    /// A hash table of its own rather than a `Dictionary` keyed by `String`s, because a replay
    /// writes a new message nearly every event: the dictionary's time went to retaining and
    /// releasing the strings of keys it had long stopped looking at, and to cache misses in a
    /// table of 100,000 large keys. Here the keys' bytes sit one after another in `keys`, their
    /// records one after another in `records`, and the table itself (open addressing, linear
    /// probing, at most half full) is 8 bytes a slot, small enough to stay in cache: most
    /// lookups are for a message never seen, and they read nothing else. A sweep copies what it
    /// keeps into new arrays and lets the old ones go in one piece.
    struct Memory: Sendable {
        struct Entry: Sendable, Equatable {
            /// The last verdict given for the message in this run.
            var verdict: Verdict.Kind?
            /// Whether the message had a spam flag when last seen with flags; `nil`: not seen so.
            var spamFlag: Bool?
            /// Whether the message had a ham flag when last seen with flags.
            var hamFlag: Bool?
        }

        /// A remembered message.
        private struct Record {
            /// The key's `MessageKey.fingerprint`.
            var fingerprint: Int
            /// Where the key's bytes (`MessageKey.encode`) are in `keys`.
            var keyStart: Int
            var keyLength: Int
            var generation: UInt64
            var entry: Entry
        }

        let capacity: Int
        /// The hash table: 0 for a free slot, else the upper half of the record's fingerprint
        /// (to skip most records that are not the one looked for without reading them) and
        /// the record's index plus one. A power of two long, or empty; never more than half full.
        private var table: [UInt64] = []
        private var records: [Record] = []
        private var keys: [UInt8] = []
        private var generation: UInt64 = 0
        private var writesInGeneration = 0
        /// The key being looked up, encoded; kept to save an allocation per lookup.
        private var scratch: [UInt8] = []
        /// Counts lookups and writes, to tell whether a `Recall` is still the latest.
        private var lookups: UInt64 = 0

        init(capacity: Int) {
            self.capacity = max(capacity, 2)
        }

        /// How many messages are remembered.
        var count: Int { records.count }

        /// What `recall` found: the entry, and where the key is or would go, so that `remember`
        /// need not encode the key and look for it again.
        struct Recall {
            let entry: Entry?
            fileprivate let place: Place
            /// Which lookup this was; valid for `remember` while no other lookup or write came since.
            fileprivate let lookup: UInt64
        }

        /// What is remembered of `key`, if anything.
        mutating func recall(_ key: MessageKey) -> Recall {
            key.encode(into: &scratch)
            lookups &+= 1
            let place = find(key)
            if case .found(let record) = place {
                return Recall(entry: records[record].entry, place: place, lookup: lookups)
            }
            return Recall(entry: nil, place: place, lookup: lookups)
        }

        /// Remembers `entry` for `key`, written in the current generation; `recall` is what
        /// `recall(key)` returned just before.
        mutating func remember(_ entry: Entry, for key: MessageKey, after recall: Recall) {
            var place = recall.place
            if recall.lookup != lookups {
                // Not the latest lookup: `scratch` and the place may be another key's.
                key.encode(into: &scratch)
                place = find(key)
            }
            if case .free = place, (records.count + 1) * 2 > table.count {
                rebuildTable(slots: max(16, table.count * 2))
                place = find(key)
            }
            lookups &+= 1
            switch place {
            case .found(let record):
                records[record].entry = entry
                records[record].generation = generation
            case .free(let slot):
                table[slot] = Self.tag(key.fingerprint) | UInt64(records.count + 1)
                records.append(
                    Record(
                        fingerprint: key.fingerprint,
                        keyStart: keys.count,
                        keyLength: scratch.count,
                        generation: generation,
                        entry: entry
                    )
                )
                keys.append(contentsOf: scratch)
            }
            writesInGeneration += 1
            if writesInGeneration >= capacity / 2 {
                generation += 1
                writesInGeneration = 0
            }
            if records.count > capacity {
                sweep(keepingFrom: max(generation, 1) - 1)
            }
        }

        fileprivate enum Place {
            /// The key's record.
            case found(Int)
            /// The free slot of `table` where the key would go.
            case free(Int)
        }

        /// Where `key`, already encoded in `scratch`, is.
        private func find(_ key: MessageKey) -> Place {
            guard !table.isEmpty else { return .free(0) }
            let mask = table.count - 1
            let tag = Self.tag(key.fingerprint)
            var slot = key.fingerprint & mask
            while true {
                let word = table[slot]
                if word == 0 { return .free(slot) }
                if word & 0xFFFF_FFFF_0000_0000 == tag {
                    let record = Int(truncatingIfNeeded: word & 0xFFFF_FFFF) - 1
                    if records[record].fingerprint == key.fingerprint && matches(records[record], key) {
                        return .found(record)
                    }
                }
                slot = (slot + 1) & mask
            }
        }

        /// The upper half of a fingerprint, where `table` keeps it. (The lower bits pick the slot.)
        private static func tag(_ fingerprint: Int) -> UInt64 {
            UInt64(truncatingIfNeeded: fingerprint) & 0xFFFF_FFFF_0000_0000
        }

        /// Whether the record holds `key` (encoded in `scratch`).
        private func matches(_ record: Record, _ key: MessageKey) -> Bool {
            keys.withUnsafeBytes { keys in
                let stored = UnsafeRawBufferPointer(
                    rebasing: keys[record.keyStart..<(record.keyStart + record.keyLength)]
                )
                let same = scratch.withUnsafeBytes { scratch in
                    scratch.count == stored.count
                        && memcmp(scratch.baseAddress!, stored.baseAddress!, stored.count) == 0
                }
                if same { return true }
                // Different bytes can still be equal strings: `String` compares by canonical
                // equivalence (a precomposed "é" equals "e" and a combining accent), and the
                // fingerprint follows `String`. Rare enough to afford making strings again.
                return MessageKey(decoding: stored, fingerprint: record.fingerprint) == key
            }
        }

        /// Makes a new, empty table of `slots` slots and enters every record in it.
        private mutating func rebuildTable(slots: Int) {
            table = [UInt64](repeating: 0, count: slots)
            let mask = slots - 1
            for (index, record) in records.enumerated() {
                var slot = record.fingerprint & mask
                while table[slot] != 0 { slot = (slot + 1) & mask }
                table[slot] = Self.tag(record.fingerprint) | UInt64(index + 1)
            }
        }

        /// Forgets every record older than generation `oldest`, and makes a table large enough
        /// for the writes until the next sweep.
        private mutating func sweep(keepingFrom oldest: UInt64) {
            var kept: [Record] = []
            kept.reserveCapacity(capacity + 1)
            var keptKeys: [UInt8] = []
            keptKeys.reserveCapacity(keys.count)
            for var record in records where record.generation >= oldest {
                let start = keptKeys.count
                keptKeys.append(contentsOf: keys[record.keyStart..<(record.keyStart + record.keyLength)])
                record.keyStart = start
                kept.append(record)
            }
            records = kept
            keys = keptKeys
            var slots = 16
            while slots < 2 * (capacity + 1) { slots *= 2 }
            rebuildTable(slots: slots)
        }
    }
}
