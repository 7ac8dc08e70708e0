extension Classifier {
    /// Why a verdict was given, before it is put into words.
    enum Reason: Sendable {
        case copiedOut(source: String, mailbox: String)
        case copiedIn(source: String, mailbox: String)
        case appended(mailbox: String, service: String)
        case flagged(flag: String, mailbox: String)

        /// The reason in words, as `Verdict.reason` gives it.
        var text: String {
            switch self {
            case .copiedOut(let source, let mailbox): "copied out of \(source) into \(mailbox)"
            case .copiedIn(let source, let mailbox): "copied from \(source) into \(mailbox)"
            case .appended(let mailbox, let service):
                "saved into \(mailbox) by \(service) (an APPEND: a client's move into junk)"
            case .flagged(let flag, let mailbox): "flagged \(flag) in \(mailbox)"
            }
        }

        /// Whether `text` would be the same bytes for both. (Not `==` on the names: `String`
        /// calls a precomposed "ü" equal to "u" and a combining diaeresis, which print apart.)
        func hasSameText(as other: Reason) -> Bool {
            func same(_ left: String, _ right: String) -> Bool { left.utf8.elementsEqual(right.utf8) }
            switch (self, other) {
            case (.copiedOut(let a, let b), .copiedOut(let c, let d)),
                (.copiedIn(let a, let b), .copiedIn(let c, let d)),
                (.appended(let a, let b), .appended(let c, let d)),
                (.flagged(let a, let b), .flagged(let c, let d)):
                return same(a, c) && same(b, d)
            default:
                return false
            }
        }
    }

    /// The words of the last few reasons, to give the next verdict with the same reason the same
    /// string rather than a new one.
    ///
    /// The same few reasons come back over and over ("copied out of Junk into INBOX"), and
    /// making the string (formatting, allocating, and later freeing it) was about a fifth of
    /// classifying an event. A handful of entries compared in turn is enough, and cheaper than
    /// hashing.
    struct Reasons: Sendable {
        private var recent: [(reason: Reason, text: String)] = []
        /// Where the next new reason goes once `recent` is full.
        private var next = 0
        private static let size = 8

        /// The words of `reason`.
        mutating func text(of reason: Reason) -> String {
            for entry in recent where entry.reason.hasSameText(as: reason) { return entry.text }
            let text = reason.text
            if recent.count < Self.size {
                recent.append((reason, text))
            } else {
                recent[next] = (reason, text)
                next = (next + 1) % Self.size
            }
            return text
        }
    }
}
