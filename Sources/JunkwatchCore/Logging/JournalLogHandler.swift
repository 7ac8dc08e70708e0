public import Logging
public import SystemdJournal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A swift-log handler that writes each log event as a structured journal entry.
///
/// An entry has `SYSLOG_IDENTIFIER=junkwatch`, `MESSAGE`, `PRIORITY` from the level,
/// `CODE_FILE`, `CODE_LINE`, `CODE_FUNC`, `JUNKWATCH_LOGGER` (the logger's label), and each
/// metadata item as a `JUNKWATCH_<KEY>` field (`retryIn` → `JUNKWATCH_RETRY_IN`; see
/// `fieldName(forMetadataKey:)`), so `journalctl -t junkwatch JUNKWATCH_USER=alice` finds the
/// log lines about alice beside her decision records.
public struct JournalLogHandler: LogHandler {
    /// The lowest level logged.
    public var logLevel: Logger.Level = .info
    /// Metadata added to every event of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Metadata looked up at each event (task-local context).
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let sink: any JournalSink

    /// A handler for the logger `label`, sending to `sink` (journald by default).
    public init(
        label: String,
        sink: any JournalSink = JournalWriter(),
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.label = label
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    /// One item of `metadata`.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Sends the event to the journal; when journald does not take it, writes it to standard
    /// error instead, since a log handler has no one to throw to.
    public func log(event: LogEvent) {
        let fields = journalFields(event)
        do {
            try sink.send(fields)
        } catch {
            let line = Array("junkwatch: \(event.level): \(event.message) (journal unavailable: \(error))\n".utf8)
            // One write(2), not stdio: the handler runs on any thread, and a line must not tear.
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
    }

    /// The entry for `event`.
    func journalFields(_ event: LogEvent) -> [JournalField] {
        var fields = [
            JournalField(name: "MESSAGE", text: event.message.description),
            Self.priority(event.level).field,
            JournalField(name: "SYSLOG_IDENTIFIER", text: JunkwatchField.syslogIdentifier),
            JournalField(name: "CODE_FILE", text: event.file),
            JournalField(name: "CODE_LINE", text: String(event.line)),
            JournalField(name: "CODE_FUNC", text: event.function),
            JournalField(name: "JUNKWATCH_LOGGER", text: label),
        ]
        // Later sources win, as in swift-log's own handlers: the handler's, the provider's, the event's.
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            fields.append(JournalField(name: Self.fieldName(forMetadataKey: key), text: Self.text(value)))
        }
        return fields
    }

    /// The journal priority of a swift-log level; `trace` and `debug` are both `debug`.
    public static func priority(_ level: Logger.Level) -> JournalPriority {
        switch level {
        case .trace, .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }

    /// The journal field a metadata key becomes: `JUNKWATCH_` and the key in upper snake case.
    ///
    /// camelCase splits into words (`retryIn` → `JUNKWATCH_RETRY_IN`); every byte that is not a
    /// letter or digit becomes `_` (`error.message` → `JUNKWATCH_ERROR_MESSAGE`); runs of `_`
    /// collapse; a key that already starts with `junkwatch_` is not prefixed twice; the name is
    /// cut to journald's 64 bytes. Any key gives a valid name.
    public static func fieldName(forMetadataKey key: String) -> String {
        var name: [UInt8] = []
        var previous: UInt8 = 0
        for byte in key.utf8 {
            let isUpper = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            let isLower = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            let previousIsLowerOrDigit =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(previous)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(previous)
            if isUpper && previousIsLowerOrDigit { name.append(UInt8(ascii: "_")) }
            if isUpper || isDigit {
                name.append(byte)
            } else if isLower {
                name.append(byte - 0x20)
            } else if name.last != UInt8(ascii: "_") {
                name.append(UInt8(ascii: "_"))
            }
            previous = byte
        }
        while name.first == UInt8(ascii: "_") { name.removeFirst() }
        while name.last == UInt8(ascii: "_") { name.removeLast() }
        var text = String(decoding: name, as: UTF8.self)
        if text.isEmpty { text = "METADATA" }
        if !text.hasPrefix(JunkwatchField.prefix) { text = JunkwatchField.prefix + text }
        // Every byte is ASCII by now, so cutting by bytes cuts by characters.
        return String(text.utf8.prefix(JournalFieldName.maximumLength))!
    }

    private static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array, .dictionary: value.description
        }
    }
}
