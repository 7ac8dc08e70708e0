/// Reads the output of `doveadm fetch 'size.physical text' ...`: `size.physical: N\n`, then
/// `text:\n`, then the message as stored, never holding more than `limit` bytes of it.
///
/// Only the first line of each field is doveadm's: the message may itself contain lines that
/// start with `text:` or `size.physical:`, and they are left alone. When the reported size is
/// over the limit, reading stops at once, before any of the message is kept.
struct DoveadmTextCollector: OutputCollector {
    /// What the output turned out to be.
    enum Outcome: Sendable, Hashable {
        /// Nothing at all: doveadm found no such message.
        case empty
        /// The whole message.
        case message([UInt8])
        /// The message is larger than the limit; `size` is the size doveadm reported, or the
        /// number of bytes seen when it reported none.
        case tooLarge(size: Int)
        /// Output that does not look like doveadm's.
        case malformed(String)
    }

    /// The most header bytes to look at before giving up on finding `text:`.
    private static let headerLimit = 512

    let limit: Int
    private var line: [UInt8] = []
    private var headerSeen = 0
    private var reportedSize: Int?
    private var inBody = false
    private var body: [UInt8] = []
    private var bodySeen = 0
    private var verdict: Outcome?

    init(limit: Int) {
        self.limit = limit
    }

    /// The result, once the output has ended (or reading stopped).
    var outcome: Outcome {
        if let verdict { return verdict }
        if inBody { return .message(body) }
        if headerSeen == 0 { return .empty }
        return .malformed("doveadm printed no \"text:\" line (got \(headerSeen) bytes)")
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if verdict != nil { return false }
        var rest = chunk[...]
        if !inBody {
            // Header lines are short; take bytes up to the end of the "text:" line only.
            while let byte = rest.first, !inBody {
                rest = rest.dropFirst()
                headerSeen += 1
                if byte == UInt8(ascii: "\n") {
                    if !parseHeaderLine() { return false }
                } else if headerSeen > Self.headerLimit {
                    verdict = .malformed("doveadm's output does not start with \"size.physical:\" and \"text:\" lines")
                    return false
                } else {
                    line.append(byte)
                }
            }
            if !inBody { return true }
        }
        bodySeen += rest.count
        if bodySeen > limit {
            verdict = .tooLarge(size: max(reportedSize ?? 0, bodySeen))
            body = []
            return false
        }
        body.append(contentsOf: rest)
        return true
    }

    /// Parses the header line just completed; returns `false` to stop reading.
    private mutating func parseHeaderLine() -> Bool {
        let line = String(decoding: self.line, as: UTF8.self)
        self.line = []
        if line == "text:" {
            inBody = true
            if let reportedSize {
                if reportedSize > limit {
                    verdict = .tooLarge(size: reportedSize)
                    return false
                }
                body.reserveCapacity(reportedSize)
            }
            return true
        }
        let sizeField = "size.physical: "
        if line.hasPrefix(sizeField), let size = Int(line.dropFirst(sizeField.count)), size >= 0 {
            reportedSize = size
            if size > limit {
                verdict = .tooLarge(size: size)
                return false
            }
            return true
        }
        verdict = .malformed("unexpected line in doveadm's output: \(StageText.quoted(String(line.prefix(80))))")
        return false
    }
}
