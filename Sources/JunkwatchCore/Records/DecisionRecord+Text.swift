extension DecisionRecord {
    /// The record as one line for people, such as
    /// `alice@example.com: spam, INBOX uid 7 <m1@x> (364 bytes): copied from INBOX into Junk; learned by rspamd`.
    ///
    /// Control characters in names (possible only in hostile input) print as `?`, so a record
    /// always stays on one line.
    public var text: String {
        var line = "\(Self.clean(user)): \(verdict.rawValue), \(Self.clean(mailbox))"
        if let uid { line += " uid \(uid)" }
        if !msgid.isEmpty { line += " \(Self.clean(msgid))" }
        if let size { line += " (\(size) bytes)" }
        line += ": \(Self.clean(reason)); "
        if let outcome {
            line += outcome.rawValue
            if let learner { line += " by \(Self.clean(learner))" }
        } else {
            line += "not learned (dry run)"
        }
        if let latency, latency.isFinite { line += " after \(Self.duration(latency))" }
        return line
    }

    private static func clean(_ string: String) -> String {
        // Almost every name is printable ASCII: check bytes before asking Unicode about scalars.
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return string }
        guard string.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return string
        }
        return String(
            String.UnicodeScalarView(
                string.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }
            )
        )
    }

    private static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        let tenths = (seconds * 10).rounded() / 10
        return "\(tenths) s"
    }
}
