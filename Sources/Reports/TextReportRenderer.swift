import Foundation
import JourneyLab
import Stats

/// A terminal report: the hypothesis and what it attacks, progress, the analysis table and verdict, dealers.
struct TextReportRenderer {
    var colour: Bool

    func render(_ report: HypothesisReport) -> String {
        let h = report.hypothesis
        var lines: [String] = []
        lines.append(bold("\(h.title)"))
        lines.append("  id \(h.id) · status \(h.status)\(h.outcome.map { " (\($0))" } ?? "")")
        lines.append("  journey \(h.journeyName) → stage \(h.stageName)")
        if let barrier = h.barrierText { lines.append("  barrier: \(barrier)") }
        if let recommendation = h.recommendationText { lines.append("  recommendation: \(recommendation)") }
        let p = report.plan
        lines.append(
            "  plan: metric \(p.metric), arms \(p.arms.joined(separator: "/")) \(p.weights.map(String.init).joined(separator: ":")), target \(p.targetDeals) deals, alpha \(p.alpha)\(p.mde.map { ", MDE " + Formatting.points($0) } ?? "")"
        )
        if let hash = p.hash { lines.append("  plan hash: \(hash)") }
        let progress = report.progress
        lines.append(
            "  progress: \(progress.resolved) of \(progress.target) deals resolved, \(progress.enrolled) enrolled"
                + (progress.daysElapsed.map { String(format: ", day %.0f of %d–%d", $0, p.minDays, p.maxDays) } ?? ""))
        lines.append("")
        let analysis = AnalysisTextRenderer(
            alpha: p.alpha, power: p.power, plannedDeals: progress.plannedWhileCollecting,
            status: Hypothesis.Status(rawValue: h.status)
        ).render(report.analysis)
        // Indented line by line; its closing newline is not a line (else two blank lines before what follows).
        lines.append(contentsOf: analysis.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "  " + $0 })
        if report.stratified != nil || report.pAdjustedAcrossReport != nil { lines.append("") }
        if let stratified = report.stratified {
            lines.append(
                "  stratified by dealer (CMH): \(NumberText.pEquals(stratified.pValue)), common odds ratio \(stratified.commonOddsRatio.map { Formatting.number($0, digits: 2) } ?? "—") over \(stratified.strataUsed) dealers"
            )
        }
        if let across = report.pAdjustedAcrossReport {
            lines.append("  Benjamini–Hochberg across this report: \(NumberText.pEquals(across))")
        }
        if !report.dealers.isEmpty {
            lines.append("")
            lines.append("  enrolled (resolved) per dealer:")
            let width = max(8, report.dealers.map(\.dealer.count).max() ?? 0) + 4
            let header = Formatting.pad("  dealer", width) + report.plan.arms.map { Formatting.pad($0, 14) }.joined()
            lines.append(header)
            for dealer in report.dealers {
                lines.append(
                    Formatting.pad("  " + dealer.dealer, width)
                        + dealer.arms.map { Formatting.pad("\($0.enrolled) (\($0.deals))", 14) }.joined())
            }
        }
        lines.append("")
        // Indented blank lines and padded columns end in spaces; a terminal or a diff shows none.
        return lines.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { Formatting.trimmingTrailingSpaces(String($0)) }.joined(separator: "\n")
    }

    private func bold(_ text: String) -> String { colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
}
