import JunkwatchCore
import Synchronization

/// The report stage of `replay`: each final record on standard output, as text or JSON lines.
final class RecordPrinter: DecisionReporter {
    private let output = Mutex(StandardOutput())
    private let format: OutputFormat

    init(format: OutputFormat) {
        self.format = format
    }

    func report(_ record: DecisionRecord) async {
        output.withLock { output in
            switch format {
            case .text: output.line { record.appendText(to: &$0) }
            case .json: output.line { record.appendJSONLine(to: &$0) }
            }
        }
    }

    /// Writes what is buffered.
    func flush() {
        output.withLock { $0.flush() }
    }
}
