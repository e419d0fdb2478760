import ArgumentParser

/// `--database-url` on the commands that compute without a database (`plan`, `analyze`, `db stop`): accepted
/// and ignored, so a script may pass it to every `journeylab` command (the CLI contract) without a usage
/// error; hidden from their help, which would otherwise suggest it matters.
struct UnusedDatabaseOption: ParsableArguments {
    @Option(name: .customLong("database-url"), help: .hidden) var databaseURL: String?
}
