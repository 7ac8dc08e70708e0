import ArgumentParser

@main
struct Junkwatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "junkwatch",
        abstract: "Teach rspamd and SpamAssassin from what users do with their Junk folder."
    )
}
