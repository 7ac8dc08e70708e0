/// The report stage: where each final record goes once it is stored (the journal, standard
/// output, both).
public protocol DecisionReporter: Sendable {
    /// Reports one final record. Reporting must not fail the decision: an implementation logs
    /// its own errors.
    func report(_ record: DecisionRecord) async
}

/// Reports to several reporters in turn.
public struct ReporterChain: DecisionReporter {
    /// The reporters, in order.
    public var reporters: [any DecisionReporter]

    /// Creates a chain.
    public init(_ reporters: [any DecisionReporter]) {
        self.reporters = reporters
    }

    /// Reports `record` to each reporter.
    public func report(_ record: DecisionRecord) async {
        for reporter in reporters { await reporter.report(record) }
    }
}
