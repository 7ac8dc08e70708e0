/// Something the service reports that is not a decision: loss, a jump, a wait.
public enum ServiceNotice: Sendable, Equatable {
    /// journald dropped `count` messages from a watched unit (its rate limit): the actions in
    /// them are lost to junkwatch.
    case suppressed(unit: String, count: Int, message: String)
    /// The saved cursor is no longer in the journal (vacuumed, rotated away, another machine's):
    /// reading goes on from the oldest entry still there.
    case cursorLost(cursor: String)
    /// A stage fails transiently and is retried; nothing later for this user is done meanwhile.
    case waiting(stage: String, user: String, reason: String, retryIn: Duration)
    /// A stage that was being retried works again.
    case recovered(stage: String, user: String, attempts: Int)
}

/// Where the service sends its notices (the journal, with their own MESSAGE_IDs).
public protocol ServiceNoticeSink: Sendable {
    /// Reports a notice; must not throw or block for long.
    func notice(_ notice: ServiceNotice)
}
