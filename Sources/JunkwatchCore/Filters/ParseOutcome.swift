/// What came of one log line: an event, or why not.
public enum ParseOutcome: Sendable, Equatable {
    /// A rule matched. (Not boxed: the event moves on to the classifier as it is, without a heap
    /// box of its own to allocate, copy out of and free.)
    case event(MailEvent)
    /// No rule made an event; the caller counts these.
    case unmatched(Unmatched)

    /// The event, if there is one.
    public var event: MailEvent? {
        if case .event(let event) = self { return event }
        return nil
    }
}

/// Why a line made no event.
public enum Unmatched: Sendable, Equatable, CustomStringConvertible {
    /// The journal entry matches no filter's journal match.
    case notSelected
    /// The entry has no field with the log line.
    case noLine(field: String)
    /// The line is longer than `FilterSet.maximumLineLength` bytes.
    case tooLong(bytes: Int)
    /// The line contains a NUL byte.
    case nulByte
    /// The line is not valid UTF-8.
    case invalidUTF8
    /// No rule matched: the line is about something else.
    case noRule
    /// A rule's pattern needed too many steps on this line and was abandoned.
    case tooComplex(filter: String, rule: String)
    /// A rule matched but left a capture it needs empty.
    case emptyCapture(filter: String, rule: String, capture: CaptureName)

    /// The reason in words.
    public var description: String {
        switch self {
        case .notSelected: "the entry matches no filter's journal match"
        case .noLine(let field): "the entry has no \(field) field"
        case .tooLong(let bytes): "the line is too long (\(bytes) bytes)"
        case .nulByte: "the line contains a NUL byte"
        case .invalidUTF8: "the line is not valid UTF-8"
        case .noRule: "no rule matches"
        case .tooComplex(let filter, let rule): "rule \(filter)/\(rule) gave up: the line needs too many steps"
        case .emptyCapture(let filter, let rule, let capture):
            "rule \(filter)/\(rule) matched, but its \(capture.rawValue) capture is empty"
        }
    }
}
