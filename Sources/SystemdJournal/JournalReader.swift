import CSystemd
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a systemd journal through libsystemd's `sd_journal`.
///
/// A reader owns one `sd_journal` handle, which libsystemd does not allow to be used from two
/// threads at once: keep a reader in one task. Waiting for new entries happens off Swift's
/// cooperative threads and can be cancelled.
public final class JournalReader {
    /// Where to read from.
    public enum Source: Sendable, Hashable {
        /// The local journal: every file in `/var/log/journal` and `/run/log/journal`.
        case local
        /// A directory of journal files, such as the one `systemd-journal-remote` fills.
        case directory(String)
        /// These journal files.
        case files([String])
        /// A journald namespace (`systemd-journald@NAME`).
        case namespace(String)
    }

    /// What changed while waiting.
    public enum Change: Sendable, Equatable {
        /// Nothing: the timeout passed.
        case nothing
        /// Entries were appended.
        case appended
        /// Files were added, removed, rotated or vacuumed; reading goes on from the current position.
        case invalidated
    }

    /// Where this reader reads.
    public let source: Source

    private let handle: OpaquePointer
    /// libsystemd's inotify descriptor, or -1 when the source cannot be watched.
    private let watchDescriptor: Int32
    /// A pipe whose write end a cancelled wait writes to, waking `poll`.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// Opens a journal.
    /// - Throws: `JournalError` naming the libsystemd call and the reason; `.noJournalFiles`
    ///   for a directory that holds no journal.
    public init(_ source: Source = .local) throws {
        var journal: OpaquePointer?
        switch source {
        case .local:
            try SD.check(sd_journal_open(&journal, 0), "sd_journal_open")
        case .directory(let path):
            try SD.check(sd_journal_open_directory(&journal, path, 0), "sd_journal_open_directory", path)
        case .files(let paths):
            let copies = paths.map { strdup($0) }
            defer { copies.forEach { free($0) } }
            var argv: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
            argv.append(nil)
            let result = argv.withUnsafeMutableBufferPointer { sd_journal_open_files(&journal, $0.baseAddress, 0) }
            try SD.check(result, "sd_journal_open_files", paths.joined(separator: ", "))
        case .namespace(let name):
            try SD.check(sd_journal_open_namespace(&journal, name, 0), "sd_journal_open_namespace", name)
        }
        guard let journal else {
            throw JournalError.call(function: "sd_journal_open", errno: EINVAL, detail: nil)
        }
        // Past the threshold libsystemd truncates values; a reader of binary fields wants all of it.
        _ = sd_journal_set_data_threshold(journal, 0)
        if case .directory(let path) = source {
            var usage: UInt64 = 0
            if sd_journal_get_usage(journal, &usage) >= 0 && usage == 0 {
                sd_journal_close(journal)
                throw JournalError.noJournalFiles(path)
            }
        }
        var fds: [Int32] = [-1, -1]
        guard csystemd_wake_pipe(&fds) == 0 else {
            let code = errno
            sd_journal_close(journal)
            throw JournalError.call(function: "pipe2", errno: code, detail: nil)
        }
        self.source = source
        self.handle = journal
        self.wakeRead = fds[0]
        self.wakeWrite = fds[1]
        // libsystemd recommends asking for the descriptor right after opening, so that no change
        // between opening and the first wait goes unnoticed.
        self.watchDescriptor = sd_journal_get_fd(journal)
    }

    deinit {
        sd_journal_close(handle)
        close(wakeRead)
        close(wakeWrite)
    }

    // MARK: Matches

    /// Restricts reading to entries that match; replaces any earlier match.
    /// - Throws: `JournalError` when libsystemd rejects a term.
    public func apply(_ match: JournalMatch) throws {
        sd_journal_flush_matches(handle)
        for (index, group) in match.groups.enumerated() {
            if index > 0 { try SD.check(sd_journal_add_disjunction(handle), "sd_journal_add_disjunction") }
            for term in group { try addMatch(term) }
        }
    }

    /// Adds one `FIELD=value` term, as `sd_journal_add_match` does.
    public func addMatch(_ term: String) throws {
        try JournalMatch.validate(term)
        let result = term.utf8CString.withUnsafeBufferPointer {
            sd_journal_add_match(handle, $0.baseAddress, $0.count - 1)
        }
        try SD.check(result, "sd_journal_add_match", term)
    }

    /// Starts a new group joined to the earlier ones by OR.
    public func addDisjunction() throws {
        try SD.check(sd_journal_add_disjunction(handle), "sd_journal_add_disjunction")
    }

    /// Joins the groups so far to the following ones by AND.
    public func addConjunction() throws {
        try SD.check(sd_journal_add_conjunction(handle), "sd_journal_add_conjunction")
    }

    /// Removes every match.
    public func flushMatches() {
        sd_journal_flush_matches(handle)
    }

    // MARK: Moving

    /// Positions before the first entry.
    public func seekHead() throws {
        try SD.check(sd_journal_seek_head(handle), "sd_journal_seek_head")
    }

    /// Positions on the last entry, so that `next()` returns only entries appended later.
    public func seekTail() throws {
        try SD.check(sd_journal_seek_tail(handle), "sd_journal_seek_tail")
        _ = try previous()
    }

    /// Positions before the first entry at or after `microseconds` since the epoch.
    public func seek(realtime microseconds: UInt64) throws {
        try SD.check(sd_journal_seek_realtime_usec(handle, microseconds), "sd_journal_seek_realtime_usec")
    }

    /// Positions before the entry `cursor` names, or the nearest one when it is gone.
    /// - Throws: `JournalError.invalidCursor` when the cursor is not well-formed.
    public func seek(cursor: String) throws {
        let result = sd_journal_seek_cursor(handle, cursor)
        if result == -EINVAL { throw JournalError.invalidCursor(cursor) }
        try SD.check(result, "sd_journal_seek_cursor", cursor)
    }

    /// Positions on the entry `cursor` names, so that `next()` returns the entry after it.
    ///
    /// This is how a follower resumes after the last entry it finished.
    /// - Throws: `JournalError.cursorNotFound` when no entry has that cursor (vacuumed, or a
    ///   cursor of another journal); `.invalidCursor` when it is not well-formed.
    public func seek(after cursor: String) throws {
        try seek(cursor: cursor)
        guard try next(), try test(cursor: cursor) else {
            throw JournalError.cursorNotFound(cursor)
        }
    }

    /// Moves to the next matching entry; `false` at the end.
    public func next() throws -> Bool {
        let result = sd_journal_next(handle)
        try SD.check(result, "sd_journal_next")
        return result > 0
    }

    /// Moves to the previous matching entry; `false` at the start.
    public func previous() throws -> Bool {
        let result = sd_journal_previous(handle)
        try SD.check(result, "sd_journal_previous")
        return result > 0
    }

    // MARK: The current entry

    /// The current entry's cursor.
    public func cursor() throws -> String {
        try withCursor { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the bytes of the current entry's cursor (ASCII, no NUL), valid only
    /// inside `body`: for a reader that copies cursors somewhere without making `String`s.
    public func withCursor<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        var pointer: UnsafeMutablePointer<CChar>?
        let result = sd_journal_get_cursor(handle, &pointer)
        if result == -EADDRNOTAVAIL { throw JournalError.noCurrentEntry }
        try SD.check(result, "sd_journal_get_cursor")
        guard let pointer else { throw JournalError.noCurrentEntry }
        defer { free(pointer) }
        return try body(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
    }

    /// Whether the current entry is the one `cursor` names.
    public func test(cursor: String) throws -> Bool {
        let result = sd_journal_test_cursor(handle, cursor)
        if result == -EINVAL { throw JournalError.invalidCursor(cursor) }
        if result == -EADDRNOTAVAIL { return false }
        try SD.check(result, "sd_journal_test_cursor", cursor)
        return result > 0
    }

    /// The current entry's wall-clock time, in microseconds since the epoch.
    public func realtime() throws -> UInt64 {
        var usec: UInt64 = 0
        let result = sd_journal_get_realtime_usec(handle, &usec)
        if result == -EADDRNOTAVAIL { throw JournalError.noCurrentEntry }
        try SD.check(result, "sd_journal_get_realtime_usec")
        return usec
    }

    /// The current entry's monotonic time in microseconds, and the boot it belongs to.
    public func monotonic() throws -> (microseconds: UInt64, bootID: String) {
        var usec: UInt64 = 0
        var boot = sd_id128_t()
        let result = sd_journal_get_monotonic_usec(handle, &usec, &boot)
        if result == -EADDRNOTAVAIL { throw JournalError.noCurrentEntry }
        try SD.check(result, "sd_journal_get_monotonic_usec")
        let hex = withUnsafeBytes(of: boot.bytes) { raw in
            raw.map { byte in
                let digits = Array("0123456789abcdef".utf8)
                return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]], as: UTF8.self)
            }.joined()
        }
        return (usec, hex)
    }

    /// `monotonic()` without the boot ID's hex, for `entry()`, which keeps only the time.
    private func monotonicMicroseconds() throws -> UInt64 {
        var usec: UInt64 = 0
        // A scratch boot ID, not NULL: given NULL, libsystemd checks that the entry is of the
        // current boot and fails with -ESTALE for any other.
        var boot = sd_id128_t()
        let result = sd_journal_get_monotonic_usec(handle, &usec, &boot)
        if result == -EADDRNOTAVAIL { throw JournalError.noCurrentEntry }
        try SD.check(result, "sd_journal_get_monotonic_usec")
        return usec
    }

    /// Calls `body` with the bytes of `field` in the current entry, or `nil` when the entry has
    /// no such field. The buffer is valid only inside `body`.
    public func withValue<Result>(
        of field: String,
        _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        var data: UnsafeRawPointer?
        var length = 0
        // withCString, not the implicit String-to-pointer conversion, which copies the name into a
        // new array on every call: this runs once per entry.
        let result = field.withCString { sd_journal_get_data(handle, $0, &data, &length) }
        if result == -ENOENT { return try body(nil) }
        if result == -EADDRNOTAVAIL { throw JournalError.noCurrentEntry }
        try SD.check(result, "sd_journal_get_data", field)
        // libsystemd hands out "FIELD=value", not NUL-terminated: skip the name and '='.
        let skip = field.utf8.count + 1
        guard let data, length >= skip else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: data + skip, count: length - skip))
    }

    /// The bytes of `field` in the current entry, or `nil` when it has none.
    public func value(of field: String) throws -> [UInt8]? {
        try withValue(of: field) { $0.map { Array($0) } }
    }

    /// The value of `field` as text (invalid UTF-8 repaired with U+FFFD), or `nil`.
    public func text(of field: String) throws -> String? {
        try withValue(of: field) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Every field of the current entry, with its cursor and timestamps.
    public func entry() throws -> JournalEntry {
        var fields: [JournalField] = []
        sd_journal_restart_data(handle)
        while true {
            var data: UnsafeRawPointer?
            var length = 0
            let result = sd_journal_enumerate_available_data(handle, &data, &length)
            if result == -EADDRNOTAVAIL { throw JournalError.noCurrentEntry }
            try SD.check(result, "sd_journal_enumerate_available_data")
            guard result > 0, let data else { break }
            let bytes = UnsafeRawBufferPointer(start: data, count: length)
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: bytes[..<equals], as: UTF8.self)
            fields.append(JournalField(name: name, value: Array(bytes[(equals + 1)...])))
        }
        return JournalEntry(
            cursor: try cursor(),
            realtime: try realtime(),
            monotonic: try monotonicMicroseconds(),
            fields: fields
        )
    }

    // MARK: Following

    /// Waits until the journal changes, the timeout passes or the task is cancelled.
    ///
    /// The blocking `poll` runs on a Dispatch thread, never on Swift's cooperative pool.
    /// - Parameter timeout: how long to wait at most; `nil` waits until something happens.
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    public func waitForChange(timeout: Duration? = nil) async throws -> Change {
        try Task.checkCancellation()
        var wanted: Int32 = -1
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            wanted = Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        }
        var pollTimeout = wanted
        var events: Int16 = Int16(POLLIN)
        if watchDescriptor >= 0 {
            let asked = sd_journal_get_events(handle)
            if asked > 0 { events = Int16(truncatingIfNeeded: asked) }
            var deadline: UInt64 = 0
            if sd_journal_get_timeout(handle, &deadline) >= 0 && deadline != UInt64.max {
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                let nowUsec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
                let journalMs = Int32(clamping: deadline > nowUsec ? (deadline - nowUsec + 999) / 1000 : 0)
                pollTimeout = pollTimeout < 0 ? journalMs : min(pollTimeout, journalMs)
            }
        } else {
            // Nothing to watch (files opened directly on some file systems): check twice a second.
            pollTimeout = pollTimeout < 0 ? 500 : min(pollTimeout, 500)
        }
        let watch = watchDescriptor
        let pollEvents = events
        let waitMilliseconds = pollTimeout
        let wakeRead = self.wakeRead
        let wakeWrite = self.wakeWrite
        let woken: Bool = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    var fds = [
                        pollfd(fd: watch, events: pollEvents, revents: 0),
                        pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                    ]
                    var result: Int32
                    repeat {
                        result = poll(&fds, nfds_t(fds.count), waitMilliseconds)
                    } while result < 0 && errno == EINTR
                    continuation.resume(returning: fds[1].revents & Int16(POLLIN) != 0)
                }
            }
        } onCancel: {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        if woken {
            var sink = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &sink, sink.count) > 0 {}
        }
        try Task.checkCancellation()
        let result = sd_journal_process(handle)
        try SD.check(result, "sd_journal_process")
        switch result {
        case Int32(SD_JOURNAL_APPEND): return .appended
        case Int32(SD_JOURNAL_INVALIDATE): return .invalidated
        default: return .nothing
        }
    }
}

/// Raw libsystemd calls: a negative return is `-errno`.
enum SD {
    static func check(_ result: Int32, _ function: String, _ detail: String? = nil) throws {
        if result < 0 {
            throw JournalError.call(function: function, errno: -result, detail: detail)
        }
    }
}
