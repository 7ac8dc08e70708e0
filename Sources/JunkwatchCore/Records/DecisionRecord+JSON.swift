extension DecisionRecord {
    /// The record as one line of JSON, keys in the documented order, without a trailing newline.
    ///
    /// Written by hand rather than with `JSONEncoder`, whose key order is not the record's and
    /// not stable across platforms; `JSONDecoder` reads it back.
    public func jsonLine() -> String {
        typealias Key = CodingKeys
        return JSONObject()
            .string(Key.user.stringValue, user)
            .string(Key.verdict.stringValue, verdict.rawValue)
            .string(Key.mailbox.stringValue, mailbox)
            .raw(Key.uid.stringValue, uid.map { String($0) })
            .string(Key.msgid.stringValue, msgid)
            .number(Key.size.stringValue, size)
            .string(Key.learner.stringValue, learner)
            .string(Key.outcome.stringValue, outcome?.rawValue)
            .string(Key.reason.stringValue, reason)
            .string(Key.sourceCursor.stringValue, sourceCursor)
            .raw(Key.sourceRealtime.stringValue, sourceRealtime.map { String($0) })
            .raw(Key.latency.stringValue, latency.flatMap { $0.isFinite ? String($0) : nil })
            .string(Key.filter.stringValue, filter)
            .string(Key.rule.stringValue, rule)
            .text
    }
}
