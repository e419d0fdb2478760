import ArgumentParser

/// Subcommands beyond `db`; each feature adds its command here.
enum CommandRegistry {
    static let more: [any ParsableCommand.Type] = [
        JourneyCommand.self, HypothesisCommand.self, AuditCommand.self,
        AnalyzeCommand.self, PlanCommand.self, ReportCommand.self,
    ]
}
