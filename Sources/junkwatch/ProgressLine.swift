import Foundation
import JunkwatchCore
import Synchronization

/// A replay's progress on one line of the terminal, redrawn a few times a second from a task of
/// its own: it reads the scan's counters (``ReplayProgress``), so the scan never waits for it.
///
/// Only on a terminal: off one (a pipe, a log file, systemd) nothing is drawn and the replay
/// prints nothing but its summary. Messages printed while the line shows (``print(_:)``) clear it
/// first, so that they do not end up glued to the bar.
final class ProgressLine: Sendable {
    /// How often the line is redrawn.
    static let interval = Duration.milliseconds(250)

    /// Whether standard error is a terminal that can redraw a line.
    static var wanted: Bool {
        isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    private struct State {
        var span = ReplayProgress.Span()
        /// Whether a progress line is on the screen now, without a newline after it.
        var shown = false
        var finished = false
    }

    private let progress: ReplayProgress
    private let dryRun: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())
    private let drawing = Mutex<Task<Void, Never>?>(nil)

    init(progress: ReplayProgress, dryRun: Bool) {
        self.progress = progress
        self.dryRun = dryRun
    }

    /// Starts redrawing, `span` being the stretch of time the replay reads (for the bar and the
    /// ETA). Called on the scan's thread, which finds the span in the journal first.
    func start(span: ReplayProgress.Span) {
        state.withLock { $0.span = span }
        let task = Task { [self] in
            while !Task.isCancelled {
                draw()
                try? await Task.sleep(for: Self.interval)
            }
        }
        drawing.withLock { $0 = task }
    }

    /// Stops redrawing and clears the line, leaving the cursor at the start of an empty line.
    func finish() async {
        let task = drawing.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        state.withLock { state in
            state.finished = true
            if state.shown { Self.write("\r\u{1B}[K") }
            state.shown = false
        }
    }

    /// Runs `write`, which writes whole lines to the same terminal (records on standard output),
    /// with the progress line cleared first; the next redraw brings it back below them.
    func aside(_ write: () -> Void) {
        state.withLock { state in
            if state.shown { Self.write("\r\u{1B}[K") }
            state.shown = false
            write()
        }
    }

    /// Prints a line of text above the progress line, which the next redraw brings back.
    func print(_ text: String) {
        state.withLock { state in
            Self.write((state.shown ? "\r\u{1B}[K" : "") + text + "\n")
            state.shown = false
        }
    }

    private func draw() {
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let snapshot = progress.snapshot
        state.withLock { state in
            guard !state.finished else { return }
            let line = ReplayProgress.line(
                snapshot,
                span: state.span,
                elapsed: seconds,
                dryRun: dryRun,
                width: Self.columns()
            )
            // Back to the start of the line, the new text, then erase what the old one left.
            Self.write("\r" + line + "\u{1B}[K")
            state.shown = true
        }
    }

    /// The terminal's width, 80 when it does not say.
    private static func columns() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return  // a terminal gone away: nothing to show progress on
            }
            bytes = bytes.dropFirst(count)
        }
    }
}
