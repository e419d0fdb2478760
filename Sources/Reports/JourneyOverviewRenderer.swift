import Foundation
import JourneyLab

/// The journey overview of `journeylab report --journey J`: every hypothesis of the journey by stage with
/// status, progress and decision — in HTML, the funnel with its barriers and their hypotheses' outcomes.
public enum JourneyOverviewRenderer {
    public static func render(_ tree: JourneyStore.Tree, reports: [HypothesisReport], format: ReportFormat, colour: Bool = false)
        throws -> String
    {
        let byKey = Dictionary(uniqueKeysWithValues: reports.map { ($0.hypothesis.id, $0) })
        // The reports follow the overview's rows (funnel order, barrier by barrier), whatever order they came in.
        let rowOrder = tree.stages.flatMap { hypotheses(of: $0).map(\.key) }
        let listed = Set(rowOrder)
        let reports = rowOrder.compactMap { byKey[$0] } + reports.filter { !listed.contains($0.hypothesis.id) }
        switch format {
        case .text:
            return table(tree, byKey, markdown: false) + "\n" + (try ReportRenderer.render(reports, format: .text, colour: colour))
        case .markdown:
            return "# \(tree.name)\n\n" + table(tree, byKey, markdown: true) + "\n"
                + (try ReportRenderer.render(reports, format: .markdown))
        case .csv:
            return try ReportRenderer.render(reports, format: .csv)
        case .json:
            struct Overview: Encodable {
                var journey: String
                var name: String
                var stages: [StageRow]
                var reports: [HypothesisReport]
            }
            struct StageRow: Encodable { var stage: String; var name: String; var hypotheses: [String] }
            let overview = Overview(
                journey: tree.key, name: tree.name,
                stages: tree.stages.map { stage in
                    StageRow(stage: stage.key, name: stage.name, hypotheses: hypotheses(of: stage).map(\.key))
                },
                reports: reports)
            return String(decoding: try ReportRenderer.jsonEncoder().encode(overview), as: UTF8.self) + "\n"
        case .html:
            let page = HTMLReportRenderer.render(reports)
            let funnel = self.funnel(tree, byKey)
            // The funnel goes first, right after the page header.
            guard let headerEnd = page.range(of: "</header>") else { return page }
            return page.replacingCharacters(in: headerEnd, with: "</header>" + funnel)
        }
    }

    /// Every hypothesis attached anywhere under a stage.
    static func hypotheses(of stage: JourneyStore.Tree.Stage) -> [JourneyStore.Tree.HypothesisLeaf] {
        var seen = Set<String>()
        let all = stage.hypotheses + stage.recommendations.flatMap(\.hypotheses)
            + stage.barriers.flatMap { $0.hypotheses + $0.recommendations.flatMap(\.hypotheses) }
        return all.filter { seen.insert($0.key).inserted }
    }

    /// The overview's decision column.
    static func decision(of leaf: JourneyStore.Tree.HypothesisLeaf, _ report: HypothesisReport?) -> String {
        DecisionLabel.text(status: leaf.status, decision: report?.analysis.decision)
    }

    static func table(_ tree: JourneyStore.Tree, _ reports: [String: HypothesisReport], markdown: Bool) -> String {
        var rows: [[String]] = []
        for stage in tree.stages {
            for leaf in hypotheses(of: stage) {
                let report = reports[leaf.key]
                rows.append([
                    // A concluded test shows the outcome the marketer recorded beside what the data says.
                    stage.name, leaf.key, leaf.status.rawValue + (leaf.outcome.map { " (\($0.rawValue))" } ?? ""),
                    report.map { "\($0.progress.resolved)/\($0.progress.target)" } ?? "—",
                    decision(of: leaf, report),
                ])
            }
        }
        let header = ["stage", "hypothesis", "status", "resolved", "decision"]
        if markdown {
            return "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
                + rows.map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
        }
        return "\(tree.name)\n" + TextTable.lines([header] + rows).joined(separator: "\n") + "\n"
    }

    static func funnel(_ tree: JourneyStore.Tree, _ reports: [String: HypothesisReport]) -> String {
        var html = "<section class=\"funnel\" data-section=\"funnel\"><h2>\(Formatting.html(tree.name)): the funnel</h2>"
        let count = max(tree.stages.count, 1)
        for (index, stage) in tree.stages.enumerated() {
            let width = 100 - Int(Double(index) / Double(count) * 45)
            html += "<div class=\"stage\" style=\"box-sizing:border-box;width:\(width)%;margin:.3rem auto;background:#edf2f7;border-radius:6px;padding:.4rem .8rem\">"
            html += "<strong>\(index + 1). \(Formatting.html(stage.name))</strong>"
            for barrier in stage.barriers {
                html += "<div class=\"barrier\" style=\"font-size:.85rem;margin-left:.6rem\">✗ \(Formatting.html(barrier.text))"
                let leaves = barrier.hypotheses + barrier.recommendations.flatMap(\.hypotheses)
                for leaf in leaves {
                    let decision = decision(of: leaf, reports[leaf.key])
                    let style = decision.replacingOccurrences(of: " ", with: "-")
                    html += " <a class=\"tag \(style)\" href=\"#\(Formatting.html(leaf.key))\">\(Formatting.html(leaf.key)): \(decision)</a>"
                }
                html += "</div>"
            }
            html += "</div>"
        }
        return html + "</section>"
    }
}
