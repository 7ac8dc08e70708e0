extension Classifier {
    /// Identifies a message within one user's mail: by Message-ID, or by mailbox and UID when the
    /// message has none.
    struct MessageKey: Hashable, Sendable {
        var user: String
        var msgid: String
        var mailbox: String
        var uid: UInt32

        // Hash only what identifies the message: the empty fields add nothing but time.
        func hash(into hasher: inout Hasher) {
            hasher.combine(user)
            if msgid.isEmpty {
                hasher.combine(mailbox)
                hasher.combine(uid)
            } else {
                hasher.combine(msgid)
            }
        }

        init?(_ event: MailEvent) {
            user = event.user
            if !event.msgid.isEmpty {
                msgid = event.msgid
                mailbox = ""
                uid = 0
            } else if let uid = event.uid {
                msgid = ""
                mailbox = event.mailbox
                self.uid = uid
            } else {
                return nil
            }
        }
    }

    /// What the classifier remembers of recent messages, in bounded memory.
    ///
    /// Entries carry the generation in which they were last written; a new generation starts
    /// every `capacity / 2` writes, and when more than `capacity` messages are remembered, those
    /// not written in the current or the previous generation are dropped. Two generations hold
    /// at most `capacity` writes, so memory stays within `capacity` entries; a message in use
    /// stays remembered; each event costs one lookup and one write, and the occasional sweep
    /// is paid for by the `capacity / 2` writes before it.
    struct Memory: Sendable {
        struct Entry: Sendable, Equatable {
            /// The last verdict given for the message in this run.
            var verdict: Verdict.Kind?
            /// Whether the message had a spam flag when last seen with flags; `nil`: not seen so.
            var spamFlag: Bool?
            /// Whether the message had a ham flag when last seen with flags.
            var hamFlag: Bool?
        }

        private struct Slot: Sendable {
            var entry: Entry
            var generation: UInt64
        }

        let capacity: Int
        private var slots: [MessageKey: Slot] = [:]
        private var generation: UInt64 = 0
        private var writesInGeneration = 0

        init(capacity: Int) {
            self.capacity = max(capacity, 2)
        }

        /// How many messages are remembered.
        var count: Int { slots.count }

        subscript(key: MessageKey) -> Entry? {
            get { slots[key]?.entry }
            set {
                slots[key] = Slot(entry: newValue ?? Entry(), generation: generation)
                writesInGeneration += 1
                if writesInGeneration >= capacity / 2 {
                    generation += 1
                    writesInGeneration = 0
                }
                if slots.count > capacity {
                    let oldest = generation - 1
                    slots = slots.filter { $0.value.generation >= oldest }
                }
            }
        }
    }
}
