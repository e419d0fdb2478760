import ArgumentParser

/// Subcommands beyond `db`; each feature adds its command here.
enum CommandRegistry {
    static let more: [any ParsableCommand.Type] = [
        JourneyCommand.self, HypothesisCommand.self, AuditCommand.self,
        AssignCommand.self, SchedulerCommand.self,
        ServeCommand.self, KeyCommand.self, EventsCommand.self,
        AnalyzeCommand.self, PlanCommand.self, ReportCommand.self,
        DemoCommand.self, BenchAssignCommand.self,
    ]
}
