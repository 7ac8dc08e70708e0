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

    /// Fetches several messages of one user at once, where that costs less than one at a time.
    ///
    /// Only a speed-up: it returns what it found where it was logged (``FetchResult/message(_:mailbox:uid:)``
    /// or ``FetchResult/tooLarge(size:limit:)``) and leaves out everything else (not found, an
    /// error, too much to hold at once). The caller fetches what is left out with
    /// ``fetch(_:preferring:)``, which searches by Message-ID and reports errors.
    func prefetch(_ locators: [MessageLocator]) async -> [MessageLocator: FetchResult]
}

extension MessageFetcher {
    /// Fetches nothing ahead: every message is fetched on its own.
    public func prefetch(_ locators: [MessageLocator]) async -> [MessageLocator: FetchResult] { [:] }

    /// Fetches the message at `locator` with no preference between mailboxes.
    public func fetch(_ locator: MessageLocator) async throws -> FetchResult {
        try await fetch(locator, preferring: nil)
    }
}
