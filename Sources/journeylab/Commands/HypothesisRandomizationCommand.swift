import ArgumentParser
import Foundation
import JourneyLab
import Postgres

/// `journeylab hypothesis randomization ID [--format text|csv|json]`: the regenerated assignment list, each
/// used slot marked with its deal, checked against the stored arms.
struct HypothesisRandomizationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "randomization",
        abstract: "Regenerate a hypothesis's randomization list from its seed and mark the slots in use.",
        discussion: """
            Block hypotheses: every stratum's permuted-block sequence through its open block, with the deal in each \
            used slot. Hash hypotheses: every enrolled deal with the arm the hash gives. Exits 1 when a stored \
            arm differs from the regenerated one.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The hypothesis key.", valueName: "id")) var id: String
    @Option(help: "text for people, csv for a spreadsheet, json for scripts.") var format: ListingFormat = .text


    func run() async throws {
        let key = id
        let listing = try await withPool(database, size: 1) { pool in
            try await pool.withConnection { try RandomizationListing.load(key, $0) }
        }
        switch format {
        case .json:
            try Output.json(listing)
        case .csv:
            Output.line("stratum,slot,block,block_size,arm,deal_id,assigned_at,matches")
            for entry in listing.entries {
                let fields: [String] = [
                    entry.stratum, entry.slot.map(String.init) ?? "", entry.block.map(String.init) ?? "",
                    entry.blockSize.map(String.init) ?? "", entry.arm, entry.dealID ?? "",
                    entry.assignedAt.map(RFC3339.string) ?? "", entry.matches ? "true" : "false",
                ]
                Output.line(fields.map(Self.csvField).joined(separator: ","))
            }
        case .text:
            listing.textLines().forEach { Output.line($0) }
        }
        if !listing.mismatches.isEmpty {
            Output.note("error: \(listing.mismatches.count) stored arms differ from the regenerated list")
            throw ExitCode(1)
        }
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
