/// How the pipeline retries a stage that failed transiently (rspamd down, a timeout, `doveadm`
/// exit 75).
public struct RetryPolicy: Sendable, Hashable {
    /// The wait before the first retry.
    public var initialDelay: Duration
    /// The longest wait between retries; the wait doubles up to it.
    public var maximumDelay: Duration
    /// How many attempts in all before the failure is recorded; `nil` retries until it works or
    /// the pipeline stops (the service: nothing is lost while a server is down).
    public var attempts: Int?
    /// Whether a configuration error (a wrong password) is retried as well: a service waits for
    /// the administrator to fix the setting and reload; a replay records it and stops.
    public var retriesConfigurationErrors: Bool

    /// Creates a policy.
    public init(
        initialDelay: Duration = .seconds(1),
        maximumDelay: Duration = .seconds(300),
        attempts: Int? = nil,
        retriesConfigurationErrors: Bool = false
    ) {
        precondition(attempts.map { $0 >= 1 } ?? true)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.attempts = attempts
        self.retriesConfigurationErrors = retriesConfigurationErrors
    }

    /// Whether `error` on attempt number `attempt` (from 1) is to be retried.
    public func retries(_ error: StageError, afterAttempt attempt: Int) -> Bool {
        switch error.kind {
        case .permanent: return false
        case .configuration: guard retriesConfigurationErrors else { return false }
        case .transient: break
        }
        if let attempts { return attempt < attempts }
        return true
    }

    /// The wait after attempt number `attempt` (from 1): the initial delay doubled per attempt,
    /// up to the maximum.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(attempt, 1) {
            delay *= 2
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }
}
