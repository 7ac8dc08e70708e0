extension Classifier {
    /// Identifies a message within one user's mail: by Message-ID, or by mailbox and UID when the
    /// message has none.
    struct MessageKey: Hashable, Sendable {
        let user: String
        let msgid: String
        let mailbox: String
        let uid: UInt32
        /// The fields' hash, computed once: a key is looked up in up to three generations and then
        /// written, and the dictionaries rehash their keys as they grow; each of those hashes this
        /// one number instead of the strings.
        ///
        /// It comes from `Hasher`, which is seeded at random per process, so a sender who controls
        /// Message-IDs cannot choose colliding ones. And it is only a hash: equal fingerprints
        /// still compare the fields, so a collision costs a comparison, never a wrong answer.
        private let fingerprint: Int

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

        init?(_ event: MailEvent) {
            if !event.msgid.isEmpty {
                self.init(user: event.user, msgid: event.msgid, mailbox: "", uid: 0)
            } else if let uid = event.uid {
                self.init(user: event.user, msgid: "", mailbox: event.mailbox, uid: uid)
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
    }

    /// What the classifier remembers of recent messages, in bounded memory.
    ///
    /// Entries belong to the generation in which they were last written; a new generation starts
    /// every `capacity / 2` writes, and when more than `capacity` messages are remembered, those
    /// not written in the current or the previous generation are dropped. Two generations hold
    /// at most `capacity` writes, so memory stays within `capacity` entries; a message in use
    /// stays remembered.
    ///
    /// Each generation is a dictionary of its own, so that forgetting is letting go of whole
    /// dictionaries rather than filtering one big dictionary into a new one: a key lives in
    /// exactly one of `current`, `previous` and `older` (every generation before `previous`,
    /// kept until the bound is passed), and moves to `current` when it is written.
    struct Memory: Sendable {
        struct Entry: Sendable, Equatable {
            /// The last verdict given for the message in this run.
            var verdict: Verdict.Kind?
            /// Whether the message had a spam flag when last seen with flags; `nil`: not seen so.
            var spamFlag: Bool?
            /// Whether the message had a ham flag when last seen with flags.
            var hamFlag: Bool?
        }

        let capacity: Int
        private var current: [MessageKey: Entry] = [:]
        private var previous: [MessageKey: Entry] = [:]
        private var older: [MessageKey: Entry] = [:]
        private var writesInGeneration = 0

        init(capacity: Int) {
            self.capacity = max(capacity, 2)
        }

        /// How many messages are remembered.
        var count: Int { current.count + previous.count + older.count }

        /// What is remembered of `key`, if anything.
        ///
        /// An entry found in an earlier generation leaves it: the caller writes the message
        /// again, into the current generation, with `remember`.
        mutating func recall(_ key: MessageKey) -> Entry? {
            if let entry = current[key] { return entry }
            if let entry = previous.removeValue(forKey: key) { return entry }
            return older.isEmpty ? nil : older.removeValue(forKey: key)
        }

        /// Remembers `entry` for `key` in the current generation; call it after `recall(key)`.
        mutating func remember(_ entry: Entry, for key: MessageKey) {
            current[key] = entry
            writesInGeneration += 1
            if writesInGeneration >= capacity / 2 {
                // A new generation: what was previous joins the older ones. (A key is in one
                // generation only, so the merges never have to choose between two values.)
                if older.isEmpty {
                    older = previous
                } else if older.count >= previous.count {
                    older.merge(previous) { _, newer in newer }
                } else {
                    previous.merge(older) { newer, _ in newer }
                    older = previous
                }
                previous = current
                // The next generation will most likely grow as large as this one did.
                current = Dictionary(minimumCapacity: previous.count)
                writesInGeneration = 0
            }
            if count > capacity {
                older = [:]
            }
        }
    }
}
