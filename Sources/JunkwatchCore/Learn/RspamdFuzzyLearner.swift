/// Adds messages to rspamd's fuzzy storage through the controller: `POST /fuzzyadd` with the
/// class's `Flag` and `Weight` headers.
///
/// On a reversal the message is first removed under the other class's flag (`POST /fuzzydel`),
/// so that a message a user rescued from Junk no longer matches as spam. The fuzzy storage is
/// global: there is no per-user scope. rspamd 3.4 answers 200 to every add, a repeated one too
/// (it adds the weight again), and 404 "No content to generate fuzzy for flag N" when the
/// message is too short to hash (shorter than the rule's `min_bytes`/`min_length`): skipped.
public struct RspamdFuzzyLearner: Learner {
    /// The fuzzy flag and weight for one class.
    public struct Mark: Sendable, Hashable {
        /// The flag: a `fuzzy_map` entry of the rule in rspamd's `fuzzy_check` configuration.
        public var flag: Int
        /// How much one add counts.
        public var weight: Int

        /// Creates a mark.
        public init(flag: Int, weight: Int) {
            self.flag = flag
            self.weight = weight
        }

        /// Spam's mark in rspamd's stock `fuzzy_map`: flag 1 (`FUZZY_DENIED`), weight 10.
        public static let defaultSpam = Mark(flag: 1, weight: 10)
        /// Ham's mark in rspamd's stock `fuzzy_map`: flag 3 (`FUZZY_WHITE`), weight 15.
        public static let defaultHam = Mark(flag: 3, weight: 15)
    }

    /// The controller to talk to.
    public let controller: RspamdController
    /// The mark for spam; `nil` to leave spam out of the fuzzy storage.
    public let spam: Mark?
    /// The mark for ham; `nil` to leave ham out of the fuzzy storage.
    public let ham: Mark?

    /// `rspamd-fuzzy`.
    public var name: String { "rspamd-fuzzy" }

    /// Creates a fuzzy learner; the default marks are those of rspamd's stock `fuzzy_map`.
    public init(
        controller: RspamdController,
        spam: Mark? = .defaultSpam,
        ham: Mark? = .defaultHam
    ) {
        self.controller = controller
        self.spam = spam
        self.ham = ham
    }

    /// The mark for `verdict`, if that class is stored.
    public func mark(for verdict: MessageClass) -> Mark? {
        verdict == .spam ? spam : ham
    }

    /// Adds the message's fuzzy hashes under the class's flag (removing the other class's first on a reversal).
    public func learn(
        _ message: [UInt8],
        as verdict: MessageClass,
        locator: MessageLocator,
        reversal: Bool
    ) async -> LearnOutcome {
        var removed = ""
        if reversal, let old = mark(for: verdict.opposite) {
            switch await send("/fuzzydel", message, headers: [("Flag", String(old.flag))], verdict: verdict.opposite) {
            case .failure(let outcome):
                return outcome
            case .success:
                removed = "; removed its \(verdict.opposite.rawValue) hash (flag \(old.flag)) first"
            }
        }
        guard let new = mark(for: verdict) else {
            if !removed.isEmpty {
                return .learned(detail: "no fuzzy flag for \(verdict.rawValue) configured" + removed)
            }
            return .skipped(reason: "no fuzzy flag for \(verdict.rawValue) configured")
        }
        let headers = [("Flag", String(new.flag)), ("Weight", String(new.weight))]
        switch await send("/fuzzyadd", message, headers: headers, verdict: verdict) {
        case .failure(let outcome):
            return outcome
        case .success:
            return .learned(
                detail: "fuzzy hash added as \(verdict.rawValue) (flag \(new.flag), weight \(new.weight))" + removed
            )
        }
    }

    /// What one request came to: on to the next step, or an outcome to return.
    private enum Sent {
        case success
        case failure(LearnOutcome)
    }

    private func send(_ path: String, _ message: [UInt8], headers: [(String, String)], verdict: MessageClass) async
        -> Sent
    {
        let response: RspamdController.Response
        do {
            response = try await controller.post(path, body: message, headers: headers)
        } catch {
            return .failure(.failed(error))
        }
        switch response.status {
        case 200:
            return .success
        case 404 where response.errorText.contains("No content to generate fuzzy"):
            return .failure(
                .skipped(reason: "rspamd has no fuzzy hash for it: \(response.errorText) (too short or no text)")
            )
        case 404 where response.errorText.contains("flag"):
            let setting = verdict == .spam ? "fuzzy spam flag" : "fuzzy ham flag"
            return .failure(
                .failed(
                    .configuration(
                        "rspamd \(path): \(response.errorText) (HTTP 404): fix the \(setting) setting, or add the "
                            + "flag to a writable rule (read_only = false) in rspamd's fuzzy_check fuzzy_map"
                    )
                )
            )
        default:
            return .failure(.failed(controller.unexpected(response, path: path)))
        }
    }
}

extension RspamdFuzzyLearner {
    /// Asks the controller for its statistics with the password.
    public func check() async -> StageError? { await controller.check() }
}
