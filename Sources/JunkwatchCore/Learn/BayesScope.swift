/// Whose Bayes database an rspamd learn goes to, told to rspamd by the `Deliver-To` header.
///
/// rspamd uses the header's value as the Bayes user when the classifier has `per_user = true`
/// (its Redis keys are then `RS<value>`), and ignores it otherwise.
public enum BayesScope: String, Sendable, Hashable, Codable {
    /// `Deliver-To: <user>`: each mail user has their own Bayes database.
    case user
    /// `Deliver-To: <domain>` (the part after the last `@`): one database per domain.
    case domain
    /// No `Deliver-To` header. Only global when rspamd's classifier has `per_user = false`:
    /// with `per_user = true`, rspamd 3.4 then files the learn under the message's own
    /// recipient (the `To:` header), which is rarely what is wanted.
    case global

    /// The `Deliver-To` value for `user`, or `nil` for ``global`` (and for a user without a
    /// domain in ``domain`` scope, which then falls back to the user itself).
    ///
    /// - Throws: a permanent error when the value holds a control character (CR, LF, NUL, ...),
    ///   which would split or end the HTTP header it goes into.
    public func deliverTo(for user: String) throws(StageError) -> String? {
        let value: String
        switch self {
        case .user:
            value = user
        case .domain:
            let domain = user.lastIndex(of: "@").map { user[user.index(after: $0)...] } ?? ""
            value = domain.isEmpty ? user : String(domain)
        case .global:
            return nil
        }
        guard !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw .permanent("user \(StageText.quoted(user)) cannot be sent in an HTTP header")
        }
        return value
    }
}
