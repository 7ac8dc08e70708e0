/// Why a pipeline stage (fetch or learn) could not do its work, worded for the person who has to act on it.
///
/// The ``kind`` tells the pipeline what to do next: retry later, record and move on, or stop and
/// ask for the configuration to be fixed.
public struct StageError: Error, Sendable, Hashable {
    /// What the pipeline should do about an error.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Worth retrying later: a server down, a timeout, a 5xx, `doveadm` exit 75.
        case transient
        /// Retrying cannot help: an unknown user, a message rspamd rejects.
        case permanent
        /// Retrying cannot help until an administrator changes a setting: a wrong password,
        /// a missing program, a password file that cannot be read.
        case configuration
    }

    /// What the pipeline should do about the error.
    public var kind: Kind
    /// One or two sentences for the log: what failed, and what to do about it where that is known.
    public var message: String

    /// Creates an error of the given kind.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// An error worth retrying later.
    public static func transient(_ message: String) -> StageError { StageError(.transient, message) }

    /// An error that retrying cannot fix.
    public static func permanent(_ message: String) -> StageError { StageError(.permanent, message) }

    /// An error that needs an administrator to change a setting.
    public static func configuration(_ message: String) -> StageError { StageError(.configuration, message) }
}

extension StageError: CustomStringConvertible {
    /// The kind and the message, e.g. `configuration error: rspamd refused the password ...`.
    public var description: String {
        switch kind {
        case .transient: return "transient error: \(message)"
        case .permanent: return "permanent error: \(message)"
        case .configuration: return "configuration error: \(message)"
        }
    }
}
