#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension ConfigurationCheck {
    /// The user doveadm looks up: a name no userdb has, so that the lookup reads nothing of
    /// anyone's, yet needs dovecot's configuration and its auth service, as a fetch does.
    static let probeUser = "junkwatch-check-config"

    /// Runs `doveadm [-c CONFIG] user junkwatch-check-config`: it exits 67 (no such user), or 0
    /// for a userdb that takes any name, when doveadm runs, reads dovecot's configuration and
    /// reaches the auth service.
    func checkDoveadm(_ settings: Configuration.Doveadm) async -> CheckItem {
        let file = configurationPath
        let configuration = settings.configFile.map { " with \($0)" } ?? ""
        if let configFile = settings.configFile, access(configFile, R_OK) != 0 {
            let reason = String(cString: strerror(errno))
            return CheckItem(
                .fail,
                "doveadm",
                "dovecot's configuration file \(configFile) cannot be read (\(reason))",
                fix:
                    "set doveadm.config_file in \(file) to dovecot's configuration (`doveconf -n | head -1` names it), "
                    + "or to \"\" for doveadm's own"
            )
        }
        let process = ChildProcess(
            executable: settings.path,
            arguments: (settings.configFile.map { ["-c", $0] } ?? []) + ["user", "--", Self.probeUser],
            timeout: .seconds(max(1, settings.timeout))
        )
        let report: ChildProcess.Report<BoundedCollector>
        do {
            report = try await process.run(collecting: BoundedCollector(limit: 64 * 1024))
        } catch {
            switch error {
            case .notFound(let path):
                return CheckItem(
                    .fail,
                    "doveadm",
                    "no doveadm at \(path)",
                    fix: "install dovecot-core, or set doveadm.path in \(file)"
                )
            case .timedOut(let timeout):
                return CheckItem(
                    .fail,
                    "doveadm",
                    "doveadm user did not answer within \(timeout)",
                    fix: "is dovecot's auth service up? `doveadm\(settings.configFile.map { " -c \($0)" } ?? "") user "
                        + "SOMEONE` should answer at once"
                )
            case .failed(let why):
                return CheckItem(
                    .fail,
                    "doveadm",
                    "running \(settings.path) failed: \(why)",
                    fix: "check doveadm.path in \(file)"
                )
            }
        }
        let said = StageText.oneLine(report.standardError)
        let detail = said.isEmpty ? "\(report.status)" : "\(report.status): \(said)"
        switch report.status {
        case .exited(0), .exited(67):
            return CheckItem(
                .ok,
                "doveadm",
                "\(settings.path)\(configuration) runs and dovecot's auth service answers (user lookup)"
            )
        case .exited(75) where said.contains("Error reading configuration"), .exited(78):
            return CheckItem(
                .fail,
                "doveadm",
                "doveadm cannot read dovecot's configuration (\(detail))",
                fix: "set doveadm.config_file in \(file) to dovecot's configuration file, or fix that file"
            )
        case _ where said.contains("Permission denied"), .exited(77):
            return CheckItem(
                .fail,
                "doveadm",
                "doveadm may not ask dovecot's auth service (\(detail))",
                fix: "run junkwatch as a user that may use doveadm: give it access to the auth-userdb socket "
                    + "(dovecot's service auth { unix_listener auth-userdb { group = ... } })"
            )
        case .exited(75):
            return CheckItem(
                .fail,
                "doveadm",
                "dovecot's auth service does not answer (\(detail))",
                fix: "start dovecot; doveadm.config_file in \(file) must be the configuration the running dovecot uses"
            )
        default:
            return CheckItem(
                .fail,
                "doveadm",
                "doveadm user failed (\(detail))",
                fix: "run the same command by hand: "
                    + "doveadm\(settings.configFile.map { " -c \($0)" } ?? "") user \(Self.probeUser)"
            )
        }
    }
}
