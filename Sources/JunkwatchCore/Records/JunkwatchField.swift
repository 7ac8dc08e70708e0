/// The names of the fields junkwatch writes to the journal, besides `MESSAGE`, `MESSAGE_ID` and
/// `PRIORITY`: what `journalctl -t junkwatch JUNKWATCH_USER=alice@example.com` matches on.
public enum JunkwatchField {
    /// `SYSLOG_IDENTIFIER` of every entry junkwatch writes: `journalctl -t junkwatch`.
    public static let syslogIdentifier = "junkwatch"
    /// What every junkwatch field name starts with.
    public static let prefix = "JUNKWATCH_"

    /// The user whose judgement it is.
    public static let user = "JUNKWATCH_USER"
    /// `ham` or `spam`.
    public static let verdict = "JUNKWATCH_VERDICT"
    /// The mailbox the message was in after the event.
    public static let mailbox = "JUNKWATCH_MAILBOX"
    /// Its UID there, in decimal.
    public static let uid = "JUNKWATCH_UID"
    /// Its Message-ID as logged; absent when it has none.
    public static let msgid = "JUNKWATCH_MSGID"
    /// Its size in bytes, in decimal.
    public static let size = "JUNKWATCH_SIZE"
    /// The learner (`rspamd`, `rspamd-fuzzy`, `spamassassin`), or the stage (`doveadm`) of a notice.
    public static let learner = "JUNKWATCH_LEARNER"
    /// `learned`, `already-learned`, `skipped`, `gone` or `failed`.
    public static let outcome = "JUNKWATCH_OUTCOME"
    /// Why, in words; may hold newlines.
    public static let reason = "JUNKWATCH_REASON"
    /// The journal cursor of dovecot's log line the decision came from.
    public static let sourceCursor = "JUNKWATCH_SOURCE_CURSOR"
    /// That log line's time, in microseconds since the epoch.
    public static let sourceRealtime = "JUNKWATCH_SOURCE_REALTIME"
    /// Seconds from the log line to the record, as a decimal number (`0.0123`).
    public static let latency = "JUNKWATCH_LATENCY"
    /// The filter that read the log line.
    public static let filter = "JUNKWATCH_FILTER"
    /// The rule of that filter that matched.
    public static let rule = "JUNKWATCH_RULE"

    /// The unit whose messages journald suppressed (`dovecot.service`).
    public static let unit = "JUNKWATCH_UNIT"
    /// How many messages journald suppressed, in decimal.
    public static let suppressed = "JUNKWATCH_SUPPRESSED"
    /// The cursor junkwatch had saved and no longer found.
    public static let savedCursor = "JUNKWATCH_SAVED_CURSOR"
    /// The time of the entry reading resumed at, in microseconds since the epoch.
    public static let resumedRealtime = "JUNKWATCH_RESUMED_REALTIME"
    /// Seconds until the next attempt, as a decimal number.
    public static let retryIn = "JUNKWATCH_RETRY_IN"

    /// `seconds` as a journal field value: a decimal number with at most six decimals, trailing
    /// zeros dropped (`0.0123`, `2`, `-0.5`); `nil` for infinity and NaN.
    public static func decimal(seconds: Double) -> String? {
        guard seconds.isFinite, abs(seconds) < 1e12 else { return nil }
        // Through whole microseconds rather than `String(seconds)`, which writes `1e-05`.
        let micros = Int64((abs(seconds) * 1_000_000).rounded())
        let whole = micros / 1_000_000
        var fraction = String(micros % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        let sign = seconds < 0 && micros > 0 ? "-" : ""
        return sign + String(whole) + (fraction.isEmpty ? "" : "." + fraction)
    }
}
