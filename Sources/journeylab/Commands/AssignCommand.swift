import ArgumentParser
import Foundation
import JourneyLab

/// `journeylab assign --deal D --dealer X --stage S [--segment G]`: manual enrollment, the CLI twin of
/// `POST /v1/assignments`.
struct AssignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Enroll a deal in the running hypotheses of a stage and print its arms.",
        discussion: """
            Repeating the command returns the same arms. A deal's dealer and segment cannot change once it is \
            enrolled. Example: journeylab assign --deal D-1001 --dealer dealer-7 --stage first-visit
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("The deal's id in the dealer's CRM.", valueName: "id")) var deal: String
    @Option(help: ArgumentHelp("The dealer's id.", valueName: "id")) var dealer: String
    @Option(help: ArgumentHelp("The stage key the deal has reached (e.g. first-visit).", valueName: "key")) var stage: String
    @Option(help: ArgumentHelp("The deal's customer segment.", valueName: "segment")) var segment: String?
    @Option(help: OutputFormat.help) var format: OutputFormat = .text

    func run() async throws {
        let request = AssignmentRequest(dealID: deal, dealerID: dealer, stage: stage, segment: segment)
        let actor = AuditLog.cliActor()
        let stage = self.stage
        var (result, stageIsKnown) = try await withPool(database, size: 2) { pool in
            let result = try await Scheduler(pool: pool).assign(request, actor: actor)
            let known = try await pool.withConnection { try JourneyStore.stageExists(stage, $0) }
            return (result, known)
        }
        // The deal is stored either way (as over HTTP, so its events are accepted); a typo deserves a word.
        if !stageIsKnown {
            result.warnings = [AssignmentResult.unknownStageWarning(stage)]
            Output.note("note: " + AssignmentResult.unknownStageWarning(stage))
        }
        if format == .json { return try Output.json(result) }
        if result.assignments.isEmpty {
            Output.line("Deal \(result.dealID): in no hypothesis (no running hypothesis at stage \(stage) admits it).")
            return
        }
        Output.line("Deal \(result.dealID):")
        for assignment in result.assignments {
            Output.line("  \(assignment.hypothesisKey): \(assignment.arm)\(assignment.apply ? " (apply the change)" : " (control)")")
        }
    }
}
