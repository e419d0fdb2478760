import ArgumentParser
import Foundation
import JourneyLab
import Postgres

/// `journeylab journey import FILE | list | show ID`.
struct JourneyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journey",
        abstract: "Import Customer Journey Maps and browse their stages, barriers, recommendations and hypotheses.",
        subcommands: [Import.self, List.self, Show.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a CJM file (YAML); re-importing updates descriptive fields and never a started plan.",
            discussion: "The format is described in docs/cjm-format.md; examples/car-brand-x.yaml is a full example.")
        @Argument(help: ArgumentHelp("The CJM file.", valueName: "FILE")) var file: String
        @OptionGroup var database: DatabaseOptions
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            // Parse before touching the database: a bad file never starts the embedded cluster.
            let parsed = try CJMParser.parse(contentsOf: URL(fileURLWithPath: file), displayName: file)
            let importer = JourneyImporter(registry: HypothesisRegistry(actor: AuditLog.cliActor()))
            let report = try await withPool(database, size: 1) { pool in
                try await pool.withConnection { try importer.importFile(parsed, $0) }
            }
            if format == .json { return try Output.json(report) }
            Output.line("Journey \(report.journey) from \(report.file): " + (report.hasChanges ? "imported." : "no changes."))
            for entity in ["segment", "journey", "stage", "barrier", "recommendation", "hypothesis"] {
                guard let counts = report.counts[entity] else { continue }
                let parts = JourneyImporter.Report.Change.allCases.compactMap { change in
                    counts[change.rawValue].map { "\($0) \(change.rawValue)" }
                }
                Output.line("  \(entity.padding(toLength: 15, withPad: " ", startingAt: 0)) " + parts.joined(separator: ", "))
            }
            // A first import adds everything: the counts say it; list only what needs a look.
            let journeyIsNew = report.entries.contains { $0.entity == "journey" && $0.change == .added }
            for entry in report.entries where entry.change != .unchanged && !(journeyIsNew && entry.change == .added) {
                Output.line("  \(Self.symbol(entry.change)) \(entry.entity) \(entry.key)" + (entry.note.map { ": \($0)" } ?? ""))
            }
        }

        static func symbol(_ change: JourneyImporter.Report.Change) -> String {
            switch change {
            case .added: return "+"
            case .updated: return "~"
            case .unchanged: return "="
            case .frozen: return "!"
            case .kept: return "·"
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the imported journeys.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            let journeys = try await withPool(database, size: 1) { pool in
                try await pool.withConnection { try JourneyStore.list($0) }
            }
            if format == .json { return try Output.json(journeys) }
            if journeys.isEmpty {
                Output.line("No journeys yet: `journeylab journey import examples/car-brand-x.yaml` imports the example.")
                return
            }
            for journey in journeys {
                Output.line("\(journey.key)  \(journey.name)")
                Output.line(
                    "    segment \(journey.segment) · \(journey.stages) stages · \(journey.barriers) barriers · "
                        + "\(journey.recommendations) recommendations · \(journey.hypotheses) hypotheses (\(journey.active) active)"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a journey as a tree: stages → barriers → recommendations → hypotheses, with status.")
        @Argument(help: ArgumentHelp("The journey key.", valueName: "ID")) var id: String
        @OptionGroup var database: DatabaseOptions
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            let key = id
            let tree = try await withPool(database, size: 1) { pool in
                try await pool.withConnection { try JourneyStore.tree(key, $0) }
            }
            if format == .json { return try Output.json(tree) }
            for line in Self.render(tree) { Output.line(line) }
        }

        static func render(_ tree: JourneyStore.Tree) -> [String] {
            var lines = ["\(tree.key)  \(tree.name)", "segment: \(tree.segment.key)  \(tree.segment.name)"]
            func leaf(_ hypothesis: JourneyStore.Tree.HypothesisLeaf, _ indent: String) -> String {
                let status = hypothesis.status.rawValue + (hypothesis.outcome.map { " (\($0.rawValue))" } ?? "")
                return "\(indent)◆ \(hypothesis.key) [\(status)] metric \(hypothesis.metric)"
            }
            func recommendation(_ item: JourneyStore.Tree.Recommendation, _ indent: String) -> [String] {
                ["\(indent)→ \(item.key): \(oneLine(item.text))"] + item.hypotheses.map { leaf($0, indent + "    ") }
            }
            for (index, stage) in tree.stages.enumerated() {
                let experience = stage.experience.map { " (\($0))" } ?? ""
                lines.append("\(index + 1). \(stage.key)  \(stage.name)\(experience)")
                for barrier in stage.barriers {
                    lines.append("   ✗ \(barrier.key) [\(barrier.severity), \(barrier.source)]: \(oneLine(barrier.text))")
                    for item in barrier.recommendations { lines += recommendation(item, "       ") }
                    lines += barrier.hypotheses.map { leaf($0, "       ") }
                }
                for item in stage.recommendations { lines += recommendation(item, "   ") }
                lines += stage.hypotheses.map { leaf($0, "   ") }
            }
            return lines
        }

        static func oneLine(_ text: String, limit: Int = 100) -> String {
            let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
        }
    }
}
