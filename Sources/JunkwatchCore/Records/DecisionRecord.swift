/// The record of one decision: the same in the journal, in `--format json` output and in the
/// ledger.
///
/// As JSON (`jsonLine()`) it is one object per line, with these keys in this order, every key
/// present and `null` where there is no value: `user`, `verdict`, `mailbox`, `uid`, `msgid`,
/// `size`, `learner`, `outcome`, `reason`, `source_cursor`, `source_realtime`, `latency`,
/// `filter`, `rule`.
public struct DecisionRecord: Sendable, Hashable, Codable {
    /// What became of a learn.
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
        /// The learner took the message.
        case learned
        /// The learner had already learned the message as this class; not a failure.
        case alreadyLearned = "already-learned"
        /// Not sent to the learner, on purpose (too large, too small for fuzzy, disabled).
        case skipped
        /// The message is no longer anywhere to fetch it from.
        case gone
        /// The learn failed for good; the reason says why.
        case failed
    }

    /// The user whose judgement it is.
    public var user: String
    /// Ham or spam.
    public var verdict: Verdict.Kind
    /// The mailbox the message was in after the event.
    public var mailbox: String
    /// Its UID there, when known.
    public var uid: UInt32?
    /// Its Message-ID as logged; empty when it has none.
    public var msgid: String
    /// Its size in bytes, when logged.
    public var size: Int?
    /// The learner the outcome is about (`rspamd`, `rspamd-fuzzy`, `spamassassin`), when there is one.
    public var learner: String?
    /// What became of the learn; `nil` when none was attempted (a dry run).
    public var outcome: Outcome?
    /// Why the message was judged so, and, after a failure, what went wrong.
    public var reason: String
    /// The journal cursor of the log line the decision came from.
    public var sourceCursor: String?
    /// The log line's time, in microseconds since the epoch.
    public var sourceRealtime: UInt64?
    /// Seconds from the log line to this record.
    public var latency: Double?
    /// The filter that read the log line.
    public var filter: String?
    /// The rule of that filter that matched.
    public var rule: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case user, verdict, mailbox, uid, msgid, size, learner, outcome, reason
        case sourceCursor = "source_cursor"
        case sourceRealtime = "source_realtime"
        case latency, filter, rule
    }

    /// Creates a record.
    public init(
        user: String,
        verdict: Verdict.Kind,
        mailbox: String,
        uid: UInt32? = nil,
        msgid: String = "",
        size: Int? = nil,
        learner: String? = nil,
        outcome: Outcome? = nil,
        reason: String,
        sourceCursor: String? = nil,
        sourceRealtime: UInt64? = nil,
        latency: Double? = nil,
        filter: String? = nil,
        rule: String? = nil
    ) {
        self.user = user
        self.verdict = verdict
        self.mailbox = mailbox
        self.uid = uid
        self.msgid = msgid
        self.size = size
        self.learner = learner
        self.outcome = outcome
        self.reason = reason
        self.sourceCursor = sourceCursor
        self.sourceRealtime = sourceRealtime
        self.latency = latency
        self.filter = filter
        self.rule = rule
    }

    /// The record of a verdict, before or after a learner had its say. The verdict is consumed:
    /// its strings move into the record.
    public init(verdict: consuming Verdict, learner: String? = nil, outcome: Outcome? = nil, latency: Double? = nil) {
        self.init(
            user: verdict.user,
            verdict: verdict.kind,
            mailbox: verdict.message.mailbox,
            uid: verdict.message.uid,
            msgid: verdict.message.msgid,
            size: verdict.message.size,
            learner: learner,
            outcome: outcome,
            reason: verdict.reason,
            sourceCursor: verdict.event.cursor,
            sourceRealtime: verdict.event.realtime,
            latency: latency,
            filter: verdict.event.filter.isEmpty ? nil : verdict.event.filter,
            rule: verdict.event.rule.isEmpty ? nil : verdict.event.rule
        )
    }
}
