public import Logging

/// Where the service sends what is not a decision: journald's losses, a lost cursor, a wait on a
/// failing server (the journal, each with its own MESSAGE_ID).
public protocol ServiceNoticeSink: Sendable {
    /// Reports a notice; must not throw or block for long.
    func notice(_ notice: JournalNotice)
}

/// The service's report stage and notice sink: records and notices into the journal, and what
/// cannot be written there into the log.
public struct JournalServiceReporter: DecisionReporter, ServiceNoticeSink {
    private let journal: JournalDecisionReporter
    private let logger: Logger

    /// Creates a reporter writing to `journal`.
    public init(journal: JournalDecisionReporter = JournalDecisionReporter(), logger: Logger) {
        self.journal = journal
        self.logger = logger
    }

    /// Writes the record to the journal.
    public func report(_ record: DecisionRecord) async {
        do {
            try journal.report(record)
        } catch {
            logger.error("\(error)")
        }
    }

    /// Writes the notice to the journal.
    public func notice(_ notice: JournalNotice) {
        do {
            try journal.report(notice)
        } catch {
            logger.error("\(error)")
        }
    }
}
