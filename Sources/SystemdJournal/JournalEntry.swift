/// One `FIELD=value` pair of a journal entry. The value is bytes: journal fields may be binary.
public struct JournalField: Sendable, Hashable {
    /// The field name, such as `MESSAGE` or `_SYSTEMD_UNIT`.
    public var name: String
    /// The raw value, without the name and `=`.
    public var value: [UInt8]

    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }

    public init(name: String, text: String) {
        self.init(name: name, value: Array(text.utf8))
    }

    /// The value as text when it is valid UTF-8, else `nil`.
    public var text: String? { String(validating: value, as: UTF8.self) }
}

/// A journal entry: its address (cursor and timestamps) and its fields in the order they came.
///
/// A field name may repeat; `fields` keeps every occurrence.
public struct JournalEntry: Sendable, Hashable {
    /// The entry's cursor (`__CURSOR`), when the source gave one.
    public var cursor: String?
    /// Wall-clock time of the entry in microseconds since the epoch (`__REALTIME_TIMESTAMP`).
    public var realtime: UInt64?
    /// Monotonic time of the entry in microseconds since boot (`__MONOTONIC_TIMESTAMP`).
    public var monotonic: UInt64?
    /// Every field except the address fields above.
    public var fields: [JournalField]

    public init(cursor: String? = nil, realtime: UInt64? = nil, monotonic: UInt64? = nil, fields: [JournalField] = []) {
        self.cursor = cursor
        self.realtime = realtime
        self.monotonic = monotonic
        self.fields = fields
    }

    /// The first value of `name`, as bytes.
    public subscript(name: String) -> [UInt8]? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [[UInt8]] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// The first value of `name` as text; invalid UTF-8 is repaired with U+FFFD.
    public func text(_ name: String) -> String? {
        self[name].map { String(decoding: $0, as: UTF8.self) }
    }
}
