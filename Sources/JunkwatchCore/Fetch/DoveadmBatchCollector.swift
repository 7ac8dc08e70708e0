/// Reads the output of `doveadm fetch 'uid size.physical text' mailbox BOX uid SET`: for each
/// message `uid: N`, `size.physical: N` and `text:` lines, then exactly N bytes of the message as
/// stored; messages are separated by `\f\n`.
///
/// A message is cut by the size doveadm reported, never by looking for the separator, which a
/// message may itself contain; the separator (or the end of the output) must then follow, and the
/// next message must start with a `uid:` line that was asked for, or nothing is trusted
/// (``problem``). Messages over `limit` are skipped unread (``Part/tooLarge(size:)``), and
/// reading stops at once when that was the last one asked for; once the messages kept would pass
/// `budget` bytes in all, reading stops (``overBudget``) and the messages kept so far stand.
///
/// One message is a batch of one: ``DoveadmFetcher`` reads every fetch with this collector.
struct DoveadmBatchCollector: OutputCollector {
    /// One message found.
    enum Part: Sendable, Hashable {
        /// The message as stored.
        case message([UInt8])
        /// The message is larger than the limit; its bytes were skipped.
        case tooLarge(size: Int)
    }

    private enum Phase {
        case header
        case body
        case separator
    }

    /// The most header bytes of one message to look at before giving up.
    private static let headerLimit = 512

    let limit: Int
    let budget: Int
    let wanted: Set<UInt32>
    /// The messages read to their end, by UID.
    private(set) var parts: [UInt32: Part] = [:]
    /// Why the output cannot be trusted, if it cannot.
    private(set) var problem: String?
    /// Reading stopped because the next message would have passed the budget.
    private(set) var overBudget = false
    /// Reading stopped because every message asked for was found, the last one too large to read.
    private var found = false

    private var phase = Phase.header
    private var line: [UInt8] = []
    private var headerSeen = 0
    private var uid: UInt32?
    private var size: Int?
    private var remaining = 0
    private var keeping = false
    private var body: [UInt8] = []
    private var held = 0
    private var separatorSeen = 0

    init(limit: Int, budget: Int, wanted: Set<UInt32>) {
        self.limit = limit
        self.budget = budget
        self.wanted = wanted
    }

    /// Whether the output ended where a message may end: after a whole message, or before any.
    var isComplete: Bool {
        if found { return true }
        switch phase {
        case .separator: return separatorSeen == 0
        case .header: return headerSeen == 0 && parts.isEmpty
        case .body: return false
        }
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard problem == nil, !overBudget, !found else { return false }
        var rest = chunk[...]
        while !rest.isEmpty {
            switch phase {
            case .header:
                let byte = rest.removeFirst()
                headerSeen += 1
                if byte == UInt8(ascii: "\n") {
                    guard parseHeaderLine() else { return false }
                } else if headerSeen > Self.headerLimit {
                    return fail("a message's fields run past \(Self.headerLimit) bytes")
                } else {
                    line.append(byte)
                }
            case .body:
                let take = min(remaining, rest.count)
                if keeping { body.append(contentsOf: rest.prefix(take)) }
                rest = rest.dropFirst(take)
                remaining -= take
                if remaining == 0 { finishMessage() }
            case .separator:
                let byte = rest.removeFirst()
                let expected = separatorSeen == 0 ? UInt8(ascii: "\u{0C}") : UInt8(ascii: "\n")
                guard byte == expected else {
                    return fail("no separator after the message of uid \(uid.map(String.init) ?? "?")")
                }
                separatorSeen += 1
                if separatorSeen == 2 { startMessage() }
            }
        }
        return true
    }

    private mutating func fail(_ why: String) -> Bool {
        problem = why
        parts = [:]
        body = []
        return false
    }

    private mutating func startMessage() {
        phase = .header
        headerSeen = 0
        uid = nil
        size = nil
        separatorSeen = 0
    }

    private mutating func finishMessage() {
        if keeping, let uid { parts[uid] = .message(body) }
        body = []
        phase = .separator
        separatorSeen = 0
    }

    /// Parses the header line just completed; returns `false` to stop reading.
    private mutating func parseHeaderLine() -> Bool {
        let text = String(decoding: line, as: UTF8.self)
        line = []
        if text == "text:" {
            guard let uid, let size else {
                return fail("a message without \"uid:\" and \"size.physical:\" lines")
            }
            remaining = size
            keeping = size <= limit
            if keeping {
                if held + size > budget {
                    overBudget = true
                    return false
                }
                held += size
                body.reserveCapacity(size)
            } else {
                parts[uid] = .tooLarge(size: size)
                if parts.count == wanted.count {
                    found = true
                    return false
                }
            }
            phase = .body
            if size == 0 { finishMessage() }
            return true
        }
        if uid == nil {
            guard text.hasPrefix("uid: "), let value = UInt32(text.dropFirst(5)), wanted.contains(value),
                parts[value] == nil
            else {
                return fail("unexpected line where a \"uid:\" line belongs: \(StageText.quoted(String(text.prefix(80))))")
            }
            uid = value
            return true
        }
        guard size == nil, text.hasPrefix("size.physical: "), let value = Int(text.dropFirst(15)), value >= 0 else {
            return fail("unexpected line in doveadm's output: \(StageText.quoted(String(text.prefix(80))))")
        }
        size = value
        return true
    }
}
