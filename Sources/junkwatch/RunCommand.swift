import ArgumentParser
import JunkwatchCore
import Logging
import ServiceLifecycle
import SystemdJournal
import UnixSignals

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Follow the journal and learn from every move into or out of Junk (the service).",
        discussion: """
            Follows dovecot's entries in the configured journal (journal.source), fetches each \
            message a user judged with doveadm, teaches it to the learners, and writes one record \
            per learner and action to the journal (SYSLOG_IDENTIFIER=junkwatch): see them with \
            `journalctl -t junkwatch` and `junkwatch stats`. systemd runs it as junkwatch.service \
            (Type=notify, with a watchdog).

            It resumes after the last finished entry (the cursor in the ledger, in the state \
            directory); the first time, it starts at journal.from, by default the tail: only moves \
            made from now on. Use `junkwatch replay` for history.

            SIGTERM (systemctl stop) finishes what the learners are doing, records it and exits 0; \
            what was still queued is read again at the next start. SIGHUP (systemctl reload) reads \
            the configuration and filters again; a bad new configuration is logged and the old one \
            kept. When rspamd or dovecot is down, learns are retried with backoff and nothing after \
            them is marked done: nothing is lost.

            Examples:
              junkwatch run
              junkwatch run --config /etc/junkwatch/junkwatch.toml --from head
              junkwatch run --directory /var/log/journal/remote
            """
    )

    @OptionGroup var configuration: ConfigurationOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where to start when no cursor is saved: tail, head, or a time (-1h, 2026-11-20 08:00, yesterday); overrides journal.from.",
            valueName: "where"
        )
    )
    var from: String?

    @Option(name: .long, help: ArgumentHelp("Follow the journal files in this directory instead of journal.source.", valueName: "dir"))
    var directory: String?

    @Option(name: .long, help: ArgumentHelp("Follow this journald namespace instead of journal.source.", valueName: "name"))
    var namespace: String?

    @Option(name: .long, help: ArgumentHelp("Keep the ledger and cursor here instead of state.directory.", valueName: "dir"))
    var stateDirectory: String?

    func validate() throws {
        if directory != nil && namespace != nil {
            throw ValidationError("--directory and --namespace both name a journal: give one.")
        }
        _ = try start()
    }

    /// `--from` as a start position.
    func start() throws -> Configuration.Journal.Start? {
        guard let from else { return nil }
        switch from {
        case "tail": return .tail
        case "head": return .head
        default:
            do {
                return .time(microseconds: try TimeSpecification.parse(from))
            } catch {
                throw ValidationError("--from \(from): \(error)")
            }
        }
    }

    func run() async throws {
        JunkwatchLogging.bootstrap()
        let logger = Logger(label: "junkwatch")
        let options = self.configuration
        let directory = self.directory
        let namespace = self.namespace
        let stateDirectory = self.stateDirectory
        let load: JunkwatchService.Loader = {
            var settings = try options.load()
            if let directory { settings.journal.source = .directory(directory) }
            if let namespace { settings.journal.source = .namespace(namespace) }
            if let stateDirectory { settings.state.directory = stateDirectory }
            return JunkwatchService.Setup(
                configuration: settings,
                filters: try options.filterSet(settings),
                learners: try settings.learners()
            )
        }
        let journal = JournalServiceReporter(logger: logger)
        let service = JunkwatchService(
            load: load,
            openStore: { try Ledger(directory: $0.state.directory) },
            start: try start(),
            reporter: journal,
            notices: journal,
            logger: logger
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(
                        service: service,
                        successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup
                    )
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
