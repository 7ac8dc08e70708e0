extension Classifier {
    /// Identifies a message within one user's mail: by Message-ID, or by mailbox and UID when the
    /// message has none.
    struct MessageKey: Hashable, Sendable {
        var user: String
        var msgid: String
        var mailbox: String
        var uid: UInt32

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
    /// Two generations: entries go into the current one; when it holds half the capacity it
    /// becomes the previous one and the oldest generation is dropped. A lookup that finds an
    /// entry in the previous generation, and the write that follows, moves it to the current
    /// one, so a message in use stays remembered. At most `capacity` entries are kept.
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

        init(capacity: Int) {
            self.capacity = max(capacity, 2)
        }

        /// How many messages are remembered.
        var count: Int { current.count + previous.count }

        subscript(key: MessageKey) -> Entry? {
            get { current[key] ?? previous[key] }
            set {
                // A write always lands in the current generation; only an entry that was in the
                // previous one needs removing there.
                if current.updateValue(newValue ?? Entry(), forKey: key) == nil, !previous.isEmpty {
                    previous[key] = nil
                }
                if current.count >= capacity / 2 {
                    previous = current
                    current = [:]
                    current.reserveCapacity(capacity / 2)
                }
            }
        }
    }
}
