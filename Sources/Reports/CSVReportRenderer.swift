import Foundation
import JourneyLab

/// One row per comparison, for spreadsheets (RFC 4180).
enum CSVReportRenderer {
    static let header = [
        "hypothesis", "status", "metric", "arm", "baseline", "arm_deals", "arm_conversions", "baseline_deals",
        "baseline_conversions", "diff", "diff_ci_low", "diff_ci_high", "relative_lift", "p_value", "p_fisher", "p_ztest",
        "p_adjusted", "prob_beat_baseline", "expected_loss", "srm_p_value", "decision",
    ]

    static func render(_ reports: [HypothesisReport]) -> String {
        var lines = [header.joined(separator: ",")]
        for report in reports {
            let a = report.analysis
            let arms = Dictionary(uniqueKeysWithValues: a.arms.map { ($0.name, $0) })
            for c in a.comparisons {
                let fields: [String] = [
                    report.hypothesis.id, report.hypothesis.status, report.plan.metric, c.arm, c.baseline,
                    "\(arms[c.arm]?.deals ?? 0)", "\(arms[c.arm]?.conversions ?? 0)", "\(arms[c.baseline]?.deals ?? 0)",
                    "\(arms[c.baseline]?.conversions ?? 0)", Formatting.number(c.diff, digits: 6),
                    Formatting.number(c.diffCI.lower, digits: 6), Formatting.number(c.diffCI.upper, digits: 6),
                    Formatting.number(c.relativeLift, digits: 6), Formatting.number(c.pValue, digits: 8),
                    Formatting.number(c.pFisher, digits: 8), Formatting.number(c.pZTest, digits: 8),
                    Formatting.number(c.pAdjusted, digits: 8), Formatting.number(c.probBeatBaseline, digits: 6),
                    Formatting.number(c.expectedLoss, digits: 6), Formatting.number(a.srm.pValue, digits: 6),
                    a.decision.rawValue,
                ]
                lines.append(fields.map(Formatting.csv).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
