public import SystemdJournal

/// Writes decision records and notices to the journal, where `journalctl -t junkwatch` and
/// `junkwatch stats` find them.
public struct JournalDecisionReporter: Sendable {
    private let sink: any JournalSink

    /// A reporter that sends to `sink`: journald by default.
    public init(sink: any JournalSink = JournalWriter()) {
        self.sink = sink
    }

    /// Writes one decision record.
    /// - Parameter priority: the entry's priority; `nil` takes the outcome's default.
    /// - Throws: `JournalReportError` when journald does not take the entry.
    public func report(_ record: DecisionRecord, priority: JournalPriority? = nil) throws(JournalReportError) {
        do {
            try sink.send(record.journalFields(priority: priority))
        } catch {
            throw JournalReportError(what: "the decision record for \(record.user)", underlying: error)
        }
    }

    /// Writes one notice.
    /// - Throws: `JournalReportError` when journald does not take the entry.
    public func report(_ notice: JournalNotice) throws(JournalReportError) {
        do {
            try sink.send(notice.journalFields)
        } catch {
            let what =
                switch notice {
                case .suppressed: "the notice of suppressed messages"
                case .cursorLost: "the notice of a lost journal cursor"
                case .transientFailure(let learner, _, _, _): "the notice that \(learner) is failing"
                }
            throw JournalReportError(what: what, underlying: error)
        }
    }
}

/// A journal entry that could not be written, worded for the administrator.
public struct JournalReportError: Error, Sendable, CustomStringConvertible {
    /// What was to be written: "the decision record for alice@example.com".
    public var what: String
    /// Why not, as the writer said it.
    public var reason: String

    /// An error about `what`, caused by `underlying`.
    public init(what: String, underlying: any Error) {
        self.what = what
        self.reason = String(describing: underlying)
    }

    public var description: String {
        // libsystemd always sends to this socket: the one thing to check.
        "cannot write \(what) to the journal: \(reason) (is systemd-journald running, "
            + "listening on /run/systemd/journal/socket?)"
    }
}
