extension DecisionRecord {
    /// The record as one line of JSON, keys in the documented order, without a trailing newline.
    ///
    /// Written by hand rather than with `JSONEncoder`, whose key order is not the record's and
    /// not stable across platforms; `JSONDecoder` reads it back.
    public func jsonLine() -> String {
        var line: [UInt8] = []
        appendJSONLine(to: &line)
        return String(decoding: line, as: UTF8.self)
    }

    /// Appends `jsonLine()` to `buffer`, without a newline: how a replay prints a record without
    /// making a `String` of it.
    public func appendJSONLine(to buffer: inout [UInt8]) {
        Self.appendJSONLine(
            user: user,
            verdict: verdict,
            mailbox: mailbox,
            uid: uid,
            msgid: msgid,
            size: size,
            learner: learner,
            outcome: outcome,
            reason: reason,
            sourceCursor: sourceCursor,
            sourceRealtime: sourceRealtime,
            latency: latency,
            filter: filter,
            rule: rule,
            to: &buffer
        )
    }

    /// Appends the JSON line of `DecisionRecord(verdict:)` to `buffer` without making that
    /// record: what a dry run prints for each verdict. (Making the record copies the verdict's
    /// strings only for them to be written out and released again.)
    public static func appendJSONLine(of verdict: Verdict, to buffer: inout [UInt8]) {
        appendJSONLine(
            user: verdict.user,
            verdict: verdict.kind,
            mailbox: verdict.message.mailbox,
            uid: verdict.message.uid,
            msgid: verdict.message.msgid,
            size: verdict.message.size,
            learner: nil,
            outcome: nil,
            reason: verdict.reason,
            sourceCursor: verdict.event.cursor,
            sourceRealtime: verdict.event.realtime,
            latency: nil,
            filter: verdict.event.filter.isEmpty ? nil : verdict.event.filter,
            rule: verdict.event.rule.isEmpty ? nil : verdict.event.rule,
            to: &buffer
        )
    }

    /// The JSON line of a record, from its parts.
    private static func appendJSONLine(
        user: String,
        verdict: Verdict.Kind,
        mailbox: String,
        uid: UInt32?,
        msgid: String,
        size: Int?,
        learner: String?,
        outcome: Outcome?,
        reason: String,
        sourceCursor: String?,
        sourceRealtime: UInt64?,
        latency: Double?,
        filter: String?,
        rule: String?,
        to buffer: inout [UInt8]
    ) {
        // The keys are `CodingKeys`' string values, spelled out; the tests read the line back with
        // `JSONDecoder`, which finds them by `CodingKeys`.
        buffer.append(#"{"user":"#)
        JSONObject.appendQuoted(user, to: &buffer)
        buffer.append(#","verdict":"#)
        JSONObject.appendQuoted(verdict.rawValue, to: &buffer)
        buffer.append(#","mailbox":"#)
        JSONObject.appendQuoted(mailbox, to: &buffer)
        buffer.append(#","uid":"#)
        if let uid { buffer.append(decimal: uid) } else { buffer.append("null") }
        buffer.append(#","msgid":"#)
        JSONObject.appendQuoted(msgid, to: &buffer)
        buffer.append(#","size":"#)
        if let size { buffer.append(decimal: size) } else { buffer.append("null") }
        buffer.append(#","learner":"#)
        appendString(learner, to: &buffer)
        buffer.append(#","outcome":"#)
        appendString(outcome?.rawValue, to: &buffer)
        buffer.append(#","reason":"#)
        JSONObject.appendQuoted(reason, to: &buffer)
        buffer.append(#","source_cursor":"#)
        appendString(sourceCursor, to: &buffer)
        buffer.append(#","source_realtime":"#)
        if let sourceRealtime { buffer.append(decimal: sourceRealtime) } else { buffer.append("null") }
        buffer.append(#","latency":"#)
        if let latency, latency.isFinite { buffer.append(utf8: String(latency)) } else { buffer.append("null") }
        buffer.append(#","filter":"#)
        appendString(filter, to: &buffer)
        buffer.append(#","rule":"#)
        appendString(rule, to: &buffer)
        buffer.append("}")
    }

    private static func appendString(_ value: String?, to buffer: inout [UInt8]) {
        if let value { JSONObject.appendQuoted(value, to: &buffer) } else { buffer.append("null") }
    }
}
