import Foundation
import TestSupport

/// A stand-in for doveadm, rspamc or sa-learn in unit tests: a small `/bin/sh` script in a
/// temporary directory. (junkwatch itself never runs a shell; the fake is only the program.)
struct FakeProgram {
    let directory: URL
    let path: String

    /// Writes `script` (the body after `#!/bin/sh`) to an executable file.
    init(_ script: String) throws {
        directory = try makeTemporaryDirectory("fake")
        let url = directory.appendingPathComponent("program")
        try Data(("#!/bin/sh\n" + script + "\n").utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        path = url.path
    }

    /// A file next to the program, e.g. where the fake records its arguments.
    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
