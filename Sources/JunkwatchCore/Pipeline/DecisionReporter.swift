/// The report stage: where each final record goes once it is stored (the journal for the
/// service, standard output for `replay`).
public protocol DecisionReporter: Sendable {
    /// Reports one final record. Reporting must not fail the decision: an implementation logs
    /// its own errors.
    func report(_ record: DecisionRecord) async
}
