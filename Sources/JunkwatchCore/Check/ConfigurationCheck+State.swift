import Foundation

extension ConfigurationCheck {
    /// Checks that junkwatch can keep its ledger in `directory`: an existing ledger is opened (its
    /// schema brought up to date, as `run` would) and its cursor read; otherwise the directory, or
    /// the nearest existing parent junkwatch would create it in, must be writable.
    ///
    /// A missing ledger is not created here: run as root, as a check often is, it would belong to
    /// root, and junkwatch's own user could not write it afterwards.
    func checkState(_ directory: String) -> CheckItem {
        let file = configurationPath
        let separator = directory.hasSuffix("/") ? "" : "/"
        let path = directory + separator + Ledger.fileName
        let asRoot =
            geteuid() == 0 ? " (as root: run check-config as junkwatch's user for its rights)" : ""
        let fix =
            "set state.directory in \(file) to a directory junkwatch's user can write, or create it for that user "
            + "(install -d -m 700 -o USER \(directory); StateDirectory=junkwatch under systemd)"
        if FileManager.default.fileExists(atPath: path) {
            do {
                let ledger = try Ledger(path: path)
                let cursor = try ledger.savedCursor()
                guard access(path, R_OK | W_OK) == 0, access(directory, W_OK | X_OK) == 0 else {
                    return CheckItem(
                        .fail,
                        "state directory",
                        "\(path): the ledger is not writable by this user (\(String(cString: strerror(errno))))",
                        fix: fix
                    )
                }
                let cursorState = cursor == nil ? "no journal cursor saved yet" : "a journal cursor saved"
                return CheckItem(.ok, "state directory", "\(path): the ledger opens, \(cursorState)\(asRoot)")
            } catch {
                return CheckItem(.fail, "state directory", error.description, fix: fix)
            }
        }
        var existing = directory
        while !FileManager.default.fileExists(atPath: existing) {
            let parent = (existing as NSString).deletingLastPathComponent
            if parent == existing || parent.isEmpty { break }
            existing = parent
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: existing, isDirectory: &isDirectory), isDirectory.boolValue else {
            return CheckItem(.fail, "state directory", "\(existing) is not a directory", fix: fix)
        }
        guard access(existing, W_OK | X_OK) == 0 else {
            let reason = String(cString: strerror(errno))
            let what = existing == directory ? directory : "\(directory) does not exist, and \(existing)"
            return CheckItem(.fail, "state directory", "\(what) is not writable by this user (\(reason))", fix: fix)
        }
        let made = existing == directory ? "" : " (created, mode 0700)"
        return CheckItem(
            .ok,
            "state directory",
            "\(directory) is writable; the ledger \(Ledger.fileName) is made there\(made) at the first run\(asRoot)"
        )
    }
}
