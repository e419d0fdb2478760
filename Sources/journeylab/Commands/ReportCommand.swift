import ArgumentParser
import Foundation
import JourneyLab
import Reports

/// `journeylab report [ID …] [--journey J] [--format …] [--output FILE]`: the analyst's significance report.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the significance report of hypotheses: decision, reasons, intervals, charts (html).",
        discussion: """
            With no ID and no --journey, reports every hypothesis that has started. text colours only on a \
            terminal; html is one self-contained file (inline CSS and SVG) that works offline.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Hypothesis keys.") var ids: [String] = []
    @Option(help: "Report every hypothesis of this journey, in funnel order.") var journey: String?
    @Option(help: "Terminal text, Markdown for a wiki, JSON (the report contract), CSV (a row per comparison) or a self-contained HTML page.") var format: ReportFormat = .text
    @Option(help: "Write to this file instead of standard output.") var output: String?
    @Flag(help: .hidden) var timings = false

    func validate() throws {
        guard journey == nil || ids.isEmpty else {
            throw ValidationError("give hypothesis IDs or --journey, not both: --journey reports every hypothesis of the journey")
        }
    }

    func run() async throws {
        let rendered = try await withPool(database) { pool -> String in
            let evaluator = Evaluator(pool: pool)
            // Each once, in the order first named.
            var seen = Set<String>()
            var keys = ids.filter { seen.insert($0).inserted }
            // Loaded first, so an unknown journey is refused as such (not as one without hypotheses).
            var tree: JourneyStore.Tree?
            if let journey {
                tree = try await pool.withConnection { try JourneyStore.tree(journey, $0) }
                keys += try await evaluator.hypothesisKeys(journey: journey)
            }
            if ids.isEmpty, journey == nil {
                keys = try await pool.withConnection { connection in
                    try HypothesisStore.list(connection).filter { $0.status != .draft }.map(\.key)
                }
            }
            guard !keys.isEmpty else {
                throw JourneyLabError.notFound(
                    journey != nil
                        ? "journey \"\(journey!)\" has no hypotheses: register one with `journeylab hypothesis register`"
                        : "no hypothesis has started yet: start one with `journeylab hypothesis start ID`, or name IDs")
            }
            let (reports, spent) = try await evaluator.reportsWithTimings(for: keys)
            let renderStart = ContinuousClock.now
            let colour = output == nil && isatty(1) == 1
            let text: String
            if let tree {
                text = try JourneyOverviewRenderer.render(tree, reports: reports, format: format, colour: colour)
            } else {
                // One named ID gives the report itself; every other request a list, however many it finds.
                text = try ReportRenderer.render(reports, format: format, colour: colour, listed: keys.count != 1 || ids.isEmpty)
            }
            if timings {
                Output.note("timings: sql \(spent.sql) statistics \(spent.statistics) rendering \(ContinuousClock.now - renderStart) for \(reports.count) hypotheses")
            }
            return text
        }
        if let output {
            try OutputFile.write(rendered, to: output)
            Output.note("wrote the \(format.rawValue) report to \(output)")
        } else {
            FileHandle.standardOutput.write(Data(rendered.utf8))
        }
    }
}
