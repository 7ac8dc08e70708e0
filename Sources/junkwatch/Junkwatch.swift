import ArgumentParser

@main
struct Junkwatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "junkwatch",
        abstract: "Teach rspamd and SpamAssassin from what users do with their Junk folder.",
        discussion: """
            junkwatch follows dovecot's mail_log entries in the systemd journal. A message a user \
            moves out of Junk is ham, one moved into Junk is spam; moves to and from Trash and \
            deliveries teach nothing.

            Start with `junkwatch test-filter` on your dovecot log lines, then \
            `junkwatch replay --dry-run --since -7d` to see what junkwatch would learn.
            """,
        version: "0.1.0",
        subcommands: [
            RunCommand.self, ReplayCommand.self, StatsCommand.self, TestFilterCommand.self, CheckConfigCommand.self,
        ]
    )
}
