import JourneyLab
import Stats

/// The one-word decision shown in lists (the journey overview, the HTML contents): a test that has not
/// started shows "not started", since its report's "continue" would read as if it were collecting deals.
enum DecisionLabel {
    static func text(status: Hypothesis.Status?, decision: AnalysisDecision?) -> String {
        if status == .draft || status == .scheduled { return "not started" }
        return decision?.rawValue ?? status?.rawValue ?? "—"
    }

    static func text(_ report: HypothesisReport) -> String {
        text(status: Hypothesis.Status(rawValue: report.hypothesis.status), decision: report.analysis.decision)
    }
}
