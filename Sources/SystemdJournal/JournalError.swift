#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An error from the journal layer, worded for the person who has to act on it.
public enum JournalError: Error, Sendable, Equatable {
    /// A libsystemd call failed; `errno` is the positive error number it returned.
    case call(function: String, errno: Int32, detail: String?)
    /// A field name that journald would reject.
    case invalidFieldName(String, reason: String)
    /// A match expression that is not `FIELD=value`.
    case invalidMatch(String, reason: String)
    /// A cursor that is not well-formed.
    case invalidCursor(String)
    /// No entry in the open journal has this cursor: vacuumed, rotated away, or from another journal.
    case cursorNotFound(String)
    /// The journal source holds no journal files at all.
    case noJournalFiles(String)
    /// The reader is not positioned on an entry.
    case noCurrentEntry
    /// A `journalctl -o export` stream that does not follow the format.
    case malformedExport(offset: Int, reason: String)
    /// A `journalctl -o json` stream that does not follow the format.
    case malformedJSON(line: Int, reason: String)
    /// Reading the input stream failed.
    case read(errno: Int32, detail: String)
}

extension JournalError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .call(let function, let errno, let detail):
            let what = detail.map { "\(function)(\($0))" } ?? function
            return "\(what) failed: \(errnoDescription(errno))"
        case .invalidFieldName(let name, let reason):
            return "invalid journal field name \"\(name)\": \(reason)"
        case .invalidMatch(let match, let reason):
            return "invalid journal match \"\(match)\": \(reason)"
        case .invalidCursor(let cursor):
            return "invalid journal cursor \"\(cursor)\": not a cursor that libsystemd can parse"
        case .cursorNotFound(let cursor):
            return "no entry with cursor \"\(cursor)\" in this journal (vacuumed, or from another journal)"
        case .noJournalFiles(let source):
            return "no journal files in \(source)"
        case .noCurrentEntry:
            return "the journal reader is not positioned on an entry"
        case .malformedExport(let offset, let reason):
            return "malformed journal export stream at byte \(offset): \(reason)"
        case .malformedJSON(let line, let reason):
            return "malformed journal JSON stream at line \(line): \(reason)"
        case .read(let errno, let detail):
            return "reading \(detail) failed: \(errnoDescription(errno))"
        }
    }
}

/// `strerror` plus the symbolic name, e.g. "No such file or directory (ENOENT)".
func errnoDescription(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", EIO: "EIO", EBADF: "EBADF", ENOMEM: "ENOMEM", EACCES: "EACCES",
        EBUSY: "EBUSY", EEXIST: "EEXIST", ENOTDIR: "ENOTDIR", EINVAL: "EINVAL", EMFILE: "EMFILE",
        ENOSPC: "ENOSPC", EADDRNOTAVAIL: "EADDRNOTAVAIL", ECHILD: "ECHILD", EBADMSG: "EBADMSG",
        EPROTONOSUPPORT: "EPROTONOSUPPORT", ECONNREFUSED: "ECONNREFUSED", ESTALE: "ESTALE",
        E2BIG: "E2BIG", ENOBUFS: "ENOBUFS", EAGAIN: "EAGAIN", EINTR: "EINTR",
    ]
    if let name = names[code] { return "\(text) (\(name))" }
    return "\(text) (errno \(code))"
}
