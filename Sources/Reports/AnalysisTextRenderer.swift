import JourneyLab
import Stats

/// Renders an analysis as plain text for a terminal: an aligned table of the arms, one block per
/// comparison, the sample-ratio and power checks, and the decision with its reasons in plain words.
///
/// ```swift
/// let text = AnalysisTextRenderer(alpha: 0.05).render(result)
/// ```
public struct AnalysisTextRenderer: Sendable {
    /// The alpha the analysis used: intervals are labelled with the level 1 − alpha.
    public var alpha: Double
    /// The power the plan asked for (for the power sentence).
    public var power: Double
    /// While a test runs, its power and MDE refer to the planned deals, not to the few at hand: then this
    /// is the planned total, and the power sentence says so.
    public var plannedDeals: Int?
    /// The hypothesis's status, when the analysis is a hypothesis's: a draft or paused test's `continue`
    /// headline says why it is not collecting.
    public var status: Hypothesis.Status?

    /// A renderer.
    /// - Parameters:
    ///   - alpha: the analysis' alpha.
    ///   - power: the plan's power.
    ///   - plannedDeals: the planned total while the test is still collecting deals; nil once complete.
    public init(alpha: Double = 0.05, power: Double = 0.8, plannedDeals: Int? = nil, status: Hypothesis.Status? = nil) {
        self.alpha = alpha
        self.power = power
        self.plannedDeals = plannedDeals
        self.status = status
    }

    /// Whose power the sentence is about: "the planned 150 deals" while running, else "these 80 deals".
    public static func powerSubject(_ result: AnalysisResult, plannedDeals: Int?) -> String {
        if let plannedDeals { return "the planned \(plannedDeals) deals" }
        let deals = result.arms.reduce(0) { $0 + $1.deals }
        return deals == 1 ? "this 1 deal" : "these \(deals) deals"
    }

    /// The text, ending with a newline.
    /// - Parameter result: the analysis result.
    /// - Returns: the rendering.
    public func render(_ result: AnalysisResult) -> String {
        var lines: [String] = []
        let level = NumberText.fixed((1 - alpha) * 100, decimals: 1) + "%"
        if let metric = result.metric { lines.append("Metric: \(metric)") }

        let header = ["arm", "enrolled", "deals", "converted", "rate", "\(level) interval"]
        let rows = result.arms.map { arm in
            [
                arm.name, String(arm.enrolled), String(arm.deals), String(arm.conversions), NumberText.percent(arm.rate),
                arm.rateCI.lower.isFinite
                    ? "\(NumberText.percent(arm.rateCI.lower)) – \(NumberText.percent(arm.rateCI.upper))" : "n/a",
            ]
        }
        lines.append(contentsOf: TextTable.lines([header] + rows, rightAligned: [1, 2, 3, 4]))

        for comparison in result.comparisons {
            lines.append("")
            lines.append("\(comparison.arm) vs \(comparison.baseline)")
            let relative =
                comparison.relativeLift.isFinite
                ? NumberText.fixed(comparison.relativeLift * 100, decimals: 1, signed: true) + "%" : "n/a"
            let relativeInterval = interval(comparison.relativeLiftCI, scale: 100, unit: "%")
            let block: [[String]] = [
                [
                    "difference", comparison.diff.isFinite ? NumberText.points(comparison.diff) + " points" : "n/a",
                    "\(level) interval " + interval(comparison.diffCI, scale: 100, unit: " points"),
                ],
                ["relative lift", relative, "\(level) interval " + relativeInterval],
                [
                    "Boschloo exact", NumberText.pEquals(comparison.pValue),
                    result.comparisons.count > 1
                        ? "Holm-adjusted " + NumberText.pEquals(comparison.pAdjusted) : "(the primary test)",
                ],
                ["Fisher exact", NumberText.pEquals(comparison.pFisher), ""],
                ["pooled z-test", NumberText.pEquals(comparison.pZTest), ""],
                [
                    "P(beats \(comparison.baseline))", NumberText.percent(comparison.probBeatBaseline),
                    "expected loss " + NumberText.fixed(comparison.expectedLoss * 100, decimals: 2) + " points",
                ],
            ]
            lines.append(contentsOf: TextTable.lines(block).map { "  " + $0 })
        }

        lines.append("")
        let srmText = result.srm.flag ? "MISMATCH — check the assignment" : result.srm.pValue.isNaN ? "no deals enrolled yet" : "no mismatch"
        lines.append("Sample ratio: chi-square \(NumberText.pEquals(result.srm.pValue)) (\(srmText))")
        lines.append(powerLine(result))
        lines.append("")
        lines.append("Decision: \(headline(result.decision))")
        for reason in result.reasons { lines.append("  - " + reason) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The decision in plain words.
    func headline(_ decision: AnalysisDecision) -> String {
        switch decision {
        case .adopt: "ADOPT — roll the treatment out"
        case .reject: "REJECT — drop the change"
        case .inconclusive: "INCONCLUSIVE — the data cannot tell either way"
        case .continue: "CONTINUE — " + (status?.notCollectingReason ?? "keep collecting deals")
        }
    }

    func powerLine(_ result: AnalysisResult) -> String {
        let power = result.power
        let powerText = NumberText.fixed(self.power * 100, decimals: 0) + "%"
        let subject = Self.powerSubject(result, plannedDeals: plannedDeals)
        var line = "Power: "
        if power.mde.isFinite {
            line += "with \(subject) the test detects a lift of \(NumberText.pointSize(power.mde)) points with \(powerText) power"
        } else {
            line += "with \(subject) the test cannot reliably detect any lift"
        }
        if let note = power.exactMDENote { line += " (\(note))" }
        // deals_needed is present exactly when the plan has an MDE; power_at_mde is then the power at it.
        if let needed = power.dealsNeeded {
            if power.powerAtMDE.isFinite {
                line += "; power at the planned lift \(NumberText.percent(power.powerAtMDE))"
            }
            line += "; the planned lift needs about \(needed) deals"
        }
        guard power.dealsNeeded != nil else { return line + (power.exactMDENote != nil ? "." : " (normal approximation).") }
        return line + (power.dealsNeededMethod == .boschlooExact ? " (Boschloo exact)." : " (normal approximation).")
    }

    /// "−3.1 to +12.4 points"; an open end as ∞; "n/a" when the interval is undefined (an arm without deals).
    func interval(_ interval: Interval, scale: Double, unit: String) -> String {
        guard !interval.lower.isNaN, !interval.upper.isNaN else { return "n/a" }
        let (lower, upper) = (interval.lower * scale, interval.upper * scale)
        return NumberText.fixed(lower, signed: true) + " to " + NumberText.fixed(upper, signed: true) + unit
    }
}
