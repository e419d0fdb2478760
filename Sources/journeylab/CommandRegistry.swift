import ArgumentParser

/// Subcommands beyond `db`; each feature adds its command here.
enum CommandRegistry {
    static let more: [any ParsableCommand.Type] = [
        ServeCommand.self, KeyCommand.self, EventsCommand.self,
    ]
}
