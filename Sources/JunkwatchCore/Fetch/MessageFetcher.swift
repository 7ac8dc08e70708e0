/// The fetch stage: gets the bytes of a message a user acted on, so that it can be learned.
///
/// Implementations: ``DoveadmFetcher`` (the `doveadm` command); a fake in unit tests.
public protocol MessageFetcher: Sendable {
    /// Fetches the message at `locator`.
    ///
    /// When the message is no longer where it was logged, an implementation looks for it by its
    /// Message-ID and, if it is found in several mailboxes, prefers one that fits `verdict`
    /// (for spam a junk mailbox; for ham one that is neither junk nor trash).
    ///
    /// - Returns: the message, or why there is none to learn (``FetchResult/gone(reason:)``,
    ///   ``FetchResult/tooLarge(size:limit:)``): both are final outcomes, not errors.
    /// - Throws: ``StageError`` only: ``StageError/Kind/transient`` when a retry may succeed
    ///   (mail server down, timeout), ``StageError/Kind/permanent`` for an unknown user,
    ///   ``StageError/Kind/configuration`` when a setting is wrong.
    func fetch(_ locator: MessageLocator, preferring verdict: MessageClass?) async throws -> FetchResult
}

extension MessageFetcher {
    /// Fetches the message at `locator` with no preference between mailboxes.
    public func fetch(_ locator: MessageLocator) async throws -> FetchResult {
        try await fetch(locator, preferring: nil)
    }
}
