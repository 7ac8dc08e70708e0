#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Where the rspamd controller password comes from. Never from the command line or the
/// configuration file itself: a file readable only by junkwatch, or a systemd credential.
public enum RspamdPassword: Sendable, Hashable {
    /// No password: rspamd trusts junkwatch's address (`secure_ip`, loopback by default).
    case none
    /// A file holding the password; a trailing newline is ignored.
    case file(String)
    /// A systemd credential (`LoadCredential=NAME:...` in the unit), read from
    /// `$CREDENTIALS_DIRECTORY/NAME`.
    case credential(String)

    /// The largest password file accepted; anything bigger is not a password.
    static let maximumSize = 4096

    /// The part of the process's environment a password is looked up in: `CREDENTIALS_DIRECTORY`,
    /// captured once so that a learner's environment stays fixed.
    static func processEnvironment() -> [String: String] {
        guard let value = getenv("CREDENTIALS_DIRECTORY") else { return [:] }
        return ["CREDENTIALS_DIRECTORY": String(cString: value)]
    }

    /// The file the password is read from, or `nil` for ``none``.
    ///
    /// - Throws: a configuration error when a credential is asked for outside a unit that
    ///   provides credentials.
    public func path(environment: [String: String]) throws(StageError) -> String? {
        switch self {
        case .none:
            return nil
        case .file(let path):
            return path
        case .credential(let name):
            guard !name.isEmpty, !name.contains("/") else {
                throw .configuration("systemd credential name \(StageText.quoted(name)) is not a file name")
            }
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                throw .configuration(
                    "the rspamd password is the systemd credential \(name), but $CREDENTIALS_DIRECTORY is not set: "
                        + "add LoadCredential=\(name):<file> to the unit, or use a password file"
                )
            }
            return directory.hasSuffix("/") ? directory + name : directory + "/" + name
        }
    }

    /// Where the password comes from, to name the setting to fix in an error message.
    public var settingDescription: String {
        switch self {
        case .none: return "no rspamd password configured"
        case .file(let path): return "rspamd password file \(path)"
        case .credential(let name): return "rspamd password credential \(name)"
        }
    }

    /// Reads the password: the file's content without trailing CR/LF.
    ///
    /// - Throws: a configuration error naming the file when it cannot be read, is empty, too
    ///   large, or holds a line break inside (which would split the HTTP header).
    public func load(environment: [String: String]) throws(StageError) -> String? {
        guard let path = try path(environment: environment) else { return nil }
        var bytes = try Self.readFile(path, setting: settingDescription)
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            bytes.removeLast()
        }
        guard !bytes.isEmpty else {
            throw .configuration("\(settingDescription) is empty: put the controller password in it")
        }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw .configuration(
                "\(settingDescription) holds control characters or several lines: it must hold one password"
            )
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func readFile(_ path: String, setting: String) throws(StageError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw .configuration(
                "cannot read the \(setting) (\(reason)): fix the password file setting or the file's permissions"
            )
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                throw .configuration("cannot read the \(setting) (\(reason))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[..<count])
            if bytes.count > maximumSize {
                throw .configuration(
                    "the \(setting) is larger than \(maximumSize) bytes: it must hold only the password"
                )
            }
        }
        return bytes
    }
}
