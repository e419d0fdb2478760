import Foundation
import JourneyLab
import Stats

/// A report to paste into a wiki or a ticket.
enum MarkdownReportRenderer {
    static func render(_ report: HypothesisReport) -> String {
        let h = report.hypothesis, p = report.plan, a = report.analysis
        var md = "## \(h.title)\n\n"
        let waiting =
            a.decision == .continue ? Hypothesis.Status(rawValue: h.status)?.notCollectingReason.map { " — " + $0 } ?? "" : ""
        md += "**Decision: \(a.decision.rawValue.uppercased())**\(waiting)\n\n"
        for reason in a.reasons { md += "- \(reason)\n" }
        md += "\n| | |\n|---|---|\n"
        md += "| hypothesis | `\(h.id)` (\(h.status)) |\n| journey → stage | \(h.journeyName) → \(h.stageName) |\n"
        if let barrier = h.barrierText { md += "| barrier | \(barrier) |\n" }
        if let recommendation = h.recommendationText { md += "| recommendation | \(recommendation) |\n" }
        md += "| metric | `\(p.metric)` |\n| progress | \(report.progress.resolved) of \(p.targetDeals) deals resolved |\n"
        if let hash = p.hash { md += "| plan hash | `\(hash)` |\n" }
        md += "\n| arm | enrolled | resolved | conversions | rate | \(Int((1 - p.alpha) * 100))% CI |\n|---|---:|---:|---:|---:|---|\n"
        for arm in a.arms {
            md += "| \(arm.name) | \(arm.enrolled) | \(arm.deals) | \(arm.conversions) | \(Formatting.percent(arm.rate)) | \(Formatting.percentRange(arm.rateCI)) |\n"
        }
        md += "\n| comparison | difference | CI | relative lift | p (Boschloo) | p (Holm) | P(beat control) |\n|---|---:|---|---:|---:|---:|---:|\n"
        for c in a.comparisons {
            md += "| \(c.arm) vs \(c.baseline) | \(Formatting.points(c.diff)) | \(Formatting.pointsRange(c.diffCI)) | \(Formatting.signedPercent(c.relativeLift)) | \(NumberText.pValue(c.pValue)) | \(NumberText.pValue(c.pAdjusted)) | \(Formatting.percent(c.probBeatBaseline)) |\n"
        }
        md += "\nSRM \(NumberText.pEquals(a.srm.pValue))\(a.srm.flag ? " **(sample-ratio mismatch)**" : ""); MDE with \(AnalysisTextRenderer.powerSubject(a, plannedDeals: report.progress.plannedWhileCollecting)) \(Formatting.points(a.power.mde))\(a.power.exactMDENote.map { " (\($0))" } ?? "").\n"
        return md
    }
}
