import ArgumentParser
import JunkwatchCore

struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check the configuration, the filters, the journal, doveadm, the state directory and the learners.",
        discussion: """
            Prints one line per check — ok, warn or FAIL, what was checked and what was found — and \
            under a failure or a warning the fix:
              configuration    the file parses and every key is known (a mistake names the file and key)
              filter NAME      each enabled filter is found and loads (a mistake names the file and rule)
              journal          dovecot's entries of the last day, and how many are mail_log events
              doveadm          doveadm runs with dovecot's configuration and its auth service answers
              state directory  the ledger opens, or the directory can be written
              learner NAME     rspamd's controller answers with the password; rspamc, sa-learn can run
            Nothing is learned, fetched or written. Run it as the user junkwatch runs as, to check \
            that user's rights.

            Exit status: 0 when every check passed (warnings pass), 1 when one failed.

            Examples:
              junkwatch check-config
              sudo -u junkwatch junkwatch check-config --config /etc/junkwatch/junkwatch.toml
              junkwatch check-config --format json | jq '.checks[] | select(.status != "ok")'
            """
    )

    @OptionGroup var configuration: ConfigurationOptions

    @Option(name: .long, help: "Output: text (a line per check) or json (one object).")
    var format: OutputFormat = .text

    func run() async throws {
        let check = ConfigurationCheck(
            configurationPath: configuration.config ?? Configuration.defaultPath,
            defaultsIfMissing: configuration.config == nil,
            filterPaths: { [configuration] in configuration.filterPaths($0) }
        )
        let items = await check.run()
        let output = StandardOutput()
        switch format {
        case .text: output.line(items.text)
        case .json: output.line(items.json)
        }
        output.flush()
        if !items.passed { throw ExitCode(1) }
    }
}
