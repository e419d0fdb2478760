import ArgumentParser
import JourneyLab

/// `journeylab`: the marketer's, analyst's and operator's command line.
struct JourneyLabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journeylab",
        abstract: "Test Customer Journey Map recommendations as hypotheses on real sales deals.",
        discussion: """
            Every command takes --database-url (or JOURNEYLAB_DATABASE_URL); with neither, it uses a private \
            PostgreSQL cluster under $JOURNEYLAB_HOME (default ~/.journeylab), created on first use.
            Exit status: 0 success, 1 runtime failure, 2 bad usage or input.
            """,
        version: JourneyLabVersion.current,
        subcommands: [DBCommand.self] + CommandRegistry.more
    )
}
