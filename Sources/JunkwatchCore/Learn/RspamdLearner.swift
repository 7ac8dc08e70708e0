/// Trains rspamd's Bayes classifier through the controller: `POST /learnham` or `/learnspam`.
///
/// rspamd 3.4 answers 200 when it learned the message, 208 when it had already learned it as
/// this class (a success here), and 204 when it declined: too few tokens, or, unless
/// `Learn-Type: bulk` is sent, Bayes already puts the message in this class with 95% certainty.
/// A message learned as the other class before is relearned by rspamd itself, so a reversal
/// needs nothing special.
public struct RspamdLearner: Learner {
    /// The controller to talk to.
    public let controller: RspamdController
    /// Whose Bayes database each learn goes to.
    public let scope: BayesScope
    /// Whether to send `Learn-Type: bulk`, which makes rspamd learn even a message its Bayes
    /// already classifies as the same class (rspamd 3.4 `lua_bayes_learn.can_learn`).
    public let bulk: Bool

    /// `rspamd-bayes`.
    public var name: String { "rspamd-bayes" }

    /// Creates a Bayes learner.
    public init(controller: RspamdController, scope: BayesScope = .user, bulk: Bool = false) {
        self.controller = controller
        self.scope = scope
        self.bulk = bulk
    }

    /// POSTs the message to `/learnham` or `/learnspam`.
    public func learn(
        _ message: [UInt8],
        as verdict: MessageClass,
        locator: MessageLocator,
        reversal: Bool
    ) async -> LearnOutcome {
        let path = verdict == .ham ? "/learnham" : "/learnspam"
        var headers: [(String, String)] = []
        let deliverTo: String?
        do {
            deliverTo = try scope.deliverTo(for: locator.user)
        } catch {
            return .failed(error)
        }
        if let deliverTo {
            headers.append(("Deliver-To", deliverTo))
        }
        if bulk {
            headers.append(("Learn-Type", "bulk"))
        }
        let response: RspamdController.Response
        do {
            response = try await controller.post(path, body: message, headers: headers)
        } catch {
            return .failed(error)
        }
        let whose = deliverTo.map { "for \($0)" } ?? "globally"
        switch response.status {
        case 200:
            return .learned(detail: "rspamd Bayes learned it as \(verdict.rawValue) \(whose)")
        case 208:
            let said = response.errorText
            return .alreadyLearned(detail: said.isEmpty ? "rspamd Bayes had already learned it \(whose)" : said)
        case 204:
            return .skipped(
                reason: "rspamd Bayes declined it (HTTP 204): too few tokens, "
                    + "or Bayes already classifies it as \(verdict.rawValue)" + (bulk ? "" : " (bulk learning is off)")
            )
        default:
            return .failed(controller.unexpected(response, path: path))
        }
    }
}

extension RspamdLearner {
    /// Asks the controller for its statistics with the password.
    public func check() async -> StageError? { await controller.check() }
}
