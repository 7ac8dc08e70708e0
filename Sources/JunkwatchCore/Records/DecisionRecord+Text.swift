extension DecisionRecord {
    /// The record as one line for people, such as
    /// `alice@example.com: spam, INBOX uid 7 <m1@x> (364 bytes): copied from INBOX into Junk; learned by rspamd`.
    ///
    /// Control characters in names (possible only in hostile input) print as `?`, so a record
    /// always stays on one line.
    public var text: String {
        var line: [UInt8] = []
        appendText(to: &line)
        return String(decoding: line, as: UTF8.self)
    }

    /// Appends `text` to `buffer`, without a newline: how a replay prints a record without
    /// making a `String` of it.
    public func appendText(to buffer: inout [UInt8]) {
        Self.appendText(
            user: user,
            verdict: verdict,
            mailbox: mailbox,
            uid: uid,
            msgid: msgid,
            size: size,
            reason: reason,
            outcome: outcome,
            learner: learner,
            latency: latency,
            to: &buffer
        )
    }

    /// Appends the text of `DecisionRecord(verdict:)` to `buffer` without making that record:
    /// what a dry run prints for each verdict. (Making the record copies the verdict's strings
    /// only for them to be written out and released again.)
    public static func appendText(of verdict: Verdict, to buffer: inout [UInt8]) {
        appendText(
            user: verdict.user,
            verdict: verdict.kind,
            mailbox: verdict.message.mailbox,
            uid: verdict.message.uid,
            msgid: verdict.message.msgid,
            size: verdict.message.size,
            reason: verdict.reason,
            outcome: nil,
            learner: nil,
            latency: nil,
            to: &buffer
        )
    }

    /// The text of a record, from its parts.
    private static func appendText(
        user: String,
        verdict: Verdict.Kind,
        mailbox: String,
        uid: UInt32?,
        msgid: String,
        size: Int?,
        reason: String,
        outcome: Outcome?,
        learner: String?,
        latency: Double?,
        to buffer: inout [UInt8]
    ) {
        appendClean(user, to: &buffer)
        buffer.append(": ")
        buffer.append(utf8: verdict.rawValue)
        buffer.append(", ")
        Self.appendClean(mailbox, to: &buffer)
        if let uid {
            buffer.append(" uid ")
            buffer.append(decimal: uid)
        }
        if !msgid.isEmpty {
            buffer.append(" ")
            Self.appendClean(msgid, to: &buffer)
        }
        if let size {
            buffer.append(" (")
            buffer.append(decimal: size)
            buffer.append(" bytes)")
        }
        buffer.append(": ")
        Self.appendClean(reason, to: &buffer)
        buffer.append("; ")
        if let outcome {
            buffer.append(utf8: outcome.rawValue)
            if let learner {
                buffer.append(" by ")
                Self.appendClean(learner, to: &buffer)
            }
        } else {
            buffer.append("not learned (dry run)")
        }
        if let latency, latency.isFinite {
            buffer.append(" after ")
            buffer.append(utf8: Self.duration(latency))
        }
    }

    /// Appends `string` with every control character (Unicode category Cc: U+0000 to U+001F
    /// and U+007F to U+009F) replaced by `?`.
    static func appendClean(_ string: String, to buffer: inout [UInt8]) {
        if string.utf8.withContiguousStorageIfAvailable({ appendClean($0, to: &buffer) }) == nil {
            Array(string.utf8).withUnsafeBufferPointer { appendClean($0, to: &buffer) }
        }
    }

    private static func appendClean(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        // Names are nearly always printable ASCII: check eight bytes at a time, then copy at once.
        var index = 0
        while index + 8 <= bytes.count && ByteWord.isPrintableASCII(ByteWord.load(bytes, at: index)) {
            index += 8
        }
        while index < bytes.count && bytes[index] >= 0x20 && bytes[index] < 0x7F { index += 1 }
        if index == bytes.count {
            buffer.append(contentsOf: bytes)
            return
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F {
                buffer.append(UInt8(ascii: "?"))
            } else if byte == 0xC2 && index + 1 < bytes.count && (0x80...0x9F).contains(bytes[index + 1]) {
                // U+0080 to U+009F, the C1 controls, are C2 80 to C2 9F in UTF-8.
                buffer.append(UInt8(ascii: "?"))
                index += 1
            } else {
                buffer.append(byte)
            }
            index += 1
        }
    }

    private static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        let tenths = (seconds * 10).rounded() / 10
        return "\(tenths) s"
    }
}
