import JunkwatchCore
import Synchronization

/// The report stage of `replay`: each final record on standard output, as text or JSON lines,
/// counted for the progress line and the summary table.
final class RecordPrinter: DecisionReporter {
    private struct State {
        var output = StandardOutput()
        var tally = ReplayTally()
    }

    private let state: Mutex<State>
    private let format: OutputFormat
    private let progress: ReplayProgress?

    /// - Parameter around: runs each write to standard output (a progress line on the same
    ///   terminal clears itself for it).
    init(format: OutputFormat, progress: ReplayProgress?, around: (@Sendable (() -> Void) -> Void)?) {
        self.format = format
        self.progress = progress
        let output = StandardOutput()
        output.around = around
        state = Mutex(State(output: output))
    }

    func report(_ record: DecisionRecord) async {
        progress?.recorded(record.outcome)
        state.withLock { state in
            state.tally.recorded(record)
            switch format {
            case .text: state.output.line { record.appendText(to: &$0) }
            case .json: state.output.line { record.appendJSONLine(to: &$0) }
            }
        }
    }

    /// The records counted so far, per user and learner.
    var tally: ReplayTally {
        state.withLock { $0.tally }
    }

    /// Writes what is buffered.
    func flush() {
        state.withLock { $0.output.flush() }
    }
}
