import ArgumentParser
import Foundation
import JunkwatchCore
import SystemdJournal

/// Where to read: the local journal, a directory, files, a namespace, or a stream on stdin.
struct InputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Read the journal files in this directory.", valueName: "dir"))
    var directory: String?

    @Option(name: .customLong("file"), help: ArgumentHelp("Read this journal file; repeatable.", valueName: "path"))
    var files: [String] = []

    @Option(name: .long, help: ArgumentHelp("Read this journald namespace.", valueName: "name"))
    var namespace: String?

    // Unconditional: a relative time such as "-7d" starts with a dash and is still the value.
    @Option(
        name: .shortAndLong,
        parsing: .unconditional,
        help: ArgumentHelp(
            "Start at this time: \"2026-11-01\", \"2026-11-01 08:00\", \"-7d\", \"yesterday\", \"@1700000000\".",
            valueName: "time"
        )
    )
    var since: String?

    @Option(
        name: .shortAndLong,
        parsing: .unconditional,
        help: ArgumentHelp("Stop after this time (same forms as --since).", valueName: "time")
    )
    var until: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The format of a stream on stdin or in a file: auto, export or json.", valueName: "format")
    )
    var inputFormat: StreamFormat = .auto

    enum StreamFormat: String, ExpressibleByArgument, CaseIterable {
        case auto, export, json
    }

    func validate() throws {
        let chosen = [directory != nil, !files.isEmpty, namespace != nil].filter { $0 }.count
        if chosen > 1 { throw ValidationError("Choose one of --directory, --file and --namespace.") }
        _ = try bounds()
    }

    /// The time bounds, in microseconds since the epoch.
    /// - Throws: `ValidationError` naming the flag whose time cannot be read, or `--since` after `--until`.
    func bounds() throws -> (since: UInt64?, until: UInt64?) {
        let since = try Self.time(since, of: "--since")
        let until = try Self.time(until, of: "--until")
        if let since, let until, since > until {
            throw ValidationError("--since \(self.since ?? "") is after --until \(self.until ?? "").")
        }
        return (since, until)
    }

    private static func time(_ text: String?, of flag: String) throws -> UInt64? {
        guard let text else { return nil }
        do {
            return try TimeSpecification.parse(text)
        } catch {
            throw ValidationError("\(flag) \(text): \(error)")
        }
    }

    /// The input: `stream` names a stream file or `-` for stdin; otherwise a journal.
    func input(stream: String?) throws -> JournalInput {
        let (since, until) = try bounds()
        return try input(stream: stream, since: since, until: until)
    }

    /// The input between `since` and `until` (``bounds()``, for a caller that shows them too).
    func input(stream: String?, since: UInt64?, until: UInt64?) throws -> JournalInput {
        if let stream {
            if directory != nil || !files.isEmpty || namespace != nil {
                throw ValidationError("Give either a stream (\(stream)) or a journal (--directory, --file, --namespace).")
            }
            let format: JournalStreamFormat? =
                switch inputFormat {
                case .auto: nil
                case .export: .export
                case .json: .json
                }
            return .stream(fileDescriptor: try Self.open(stream), format: format, since: since, until: until)
        }
        if let directory { return .journal(.directory(directory), since: since, until: until) }
        if !files.isEmpty { return .journal(.files(files), since: since, until: until) }
        if let namespace { return .journal(.namespace(namespace), since: since, until: until) }
        return .journal(.local, since: since, until: until)
    }

    /// A file descriptor for `path`, or stdin for `-`.
    /// - Throws: ``StreamError`` when the file cannot be opened: the command cannot run (exit 1).
    static func open(_ path: String) throws -> Int32 {
        if path == "-" { return 0 }
        let descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StreamError(description: "cannot open the stream \(path): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    /// A stream file that cannot be read.
    struct StreamError: Error, CustomStringConvertible {
        var description: String
    }
}
