/// Turns the numbers of an analysis into a decision and plain-English reasons (numbers in percentage points).
struct AnalysisNarrative {
    let arms: [ArmCounts]
    let comparisons: [AnalysisResult.Comparison]
    let srm: AnalysisResult.SampleRatio
    let power: AnalysisResult.Power
    let plan: AnalysisPlan

    /// The verdict on one comparison.
    enum Verdict: Equatable {
        case adopt, hurts, tooSmall, inconclusive
    }

    var levelText: String { NumberText.fixed((1 - plan.alpha) * 100, decimals: 1) + "%" }

    func verdict(for comparison: AnalysisResult.Comparison) -> Verdict {
        let interval = comparison.diffCI
        guard interval.lower.isFinite, interval.upper.isFinite else { return .inconclusive }
        if comparison.pAdjusted < plan.alpha && interval.lower > 0 && !srm.flag { return .adopt }
        if interval.upper < 0 { return .hurts }
        if let mde = plan.mde, interval.upper < mde { return .tooSmall }
        return .inconclusive
    }

    func decide() -> (decision: AnalysisDecision, reasons: [String]) {
        var reasons: [String] = []
        let baseline = arms[0]
        let verdicts = comparisons.map(verdict(for:))
        let totalDeals = arms.reduce(0) { $0 + $1.deals }
        let running = !plan.isComplete && !plan.boundaryCrossed

        if running {
            if let target = plan.targetDeals {
                reasons.append(
                    "resolved so far: \(totalDeals) of the \(target) planned deals (\(max(0, target - totalDeals)) more needed); deciding before the plan is complete inflates the chance of a false positive."
                )
            } else {
                reasons.append(
                    "the test has not reached its planned deals yet; deciding early inflates the chance of a false positive."
                )
            }
        } else if !plan.isComplete && plan.boundaryCrossed {
            reasons.append("a sequential boundary was crossed at this look, so the result can be read before the planned end.")
        }
        if srm.flag {
            let counts = arms.map { String($0.enrolled) }.joined(separator: " / ")
            let weights = (plan.weights ?? arms.map { _ in 1 }).map { NumberText.fixed($0, decimals: 2) }.joined(
                separator: ":")
            reasons.append(
                "sample ratio mismatch: the arms enrolled \(counts) deals where the plan expects \(weights) (chi-square \(NumberText.pEquals(srm.pValue))); check the assignment before trusting any result."
            )
        }
        for (comparison, verdict) in zip(comparisons, verdicts) {
            reasons.append(contentsOf: sentences(for: comparison, verdict: verdict, baseline: baseline))
        }

        let decision: AnalysisDecision
        if running {
            decision = .continue
        } else if let best = zip(comparisons, verdicts).filter({ $0.1 == .adopt }).max(by: { $0.0.diff < $1.0.diff })?.0 {
            decision = .adopt
            if comparisons.count > 1 {
                reasons.append(
                    "adopt \(best.arm): it has the largest lift (\(NumberText.points(best.diff)) points) of the treatments that beat \(baseline.name)."
                )
            } else {
                reasons.append("adopt \(best.arm).")
            }
        } else if verdicts.allSatisfy({ $0 == .hurts || $0 == .tooSmall }) {
            decision = .reject
        } else {
            decision = .inconclusive
        }
        if decision == .inconclusive || decision == .continue {
            if let sentence = dealsSentence(totalDeals: totalDeals) { reasons.append(sentence) }
        }
        return (decision, reasons)
    }

    func sentences(for comparison: AnalysisResult.Comparison, verdict: Verdict, baseline: ArmCounts) -> [String] {
        guard let arm = arms.first(where: { $0.name == comparison.arm }) else { return [] }
        if arm.deals == 0 && baseline.deals == 0 {
            return ["neither \(arm.name) nor \(baseline.name) has resolved deals yet, so they cannot be compared."]
        }
        if arm.deals == 0 || baseline.deals == 0 {
            let empty = arm.deals == 0 ? arm.name : baseline.name
            return ["\(empty) has no resolved deals yet, so \(arm.name) cannot be compared with \(baseline.name)."]
        }
        let lower = NumberText.points(comparison.diffCI.lower)
        let upper = NumberText.points(comparison.diffCI.upper)
        var adjustedText = ""
        if comparisons.count > 1 { adjustedText = " (Holm-adjusted \(NumberText.pValue(comparison.pAdjusted)))" }
        let summary =
            "\(arm.name) converted \(arm.conversions) of \(arm.deals) deals (\(NumberText.percent(arm.rate))) against \(baseline.name)'s \(baseline.conversions) of \(baseline.deals) (\(NumberText.percent(baseline.rate))): \(NumberText.points(comparison.diff)) points, between \(lower) and \(upper) at \(levelText) confidence; Boschloo exact \(NumberText.pEquals(comparison.pValue))\(adjustedText)."
        var result = [summary]
        let alphaText = NumberText.fixed(plan.alpha, decimals: 3)
        switch verdict {
        case .adopt:
            result.append(
                "\(arm.name) beats \(baseline.name): the adjusted p-value (\(NumberText.pValue(comparison.pAdjusted))) is below alpha \(alphaText) and even the low end of the interval is a gain of \(lower) points."
            )
        case .hurts:
            result.append(
                "\(arm.name) does worse than \(baseline.name): the whole interval lies below zero (\(lower) to \(upper) points).")
        case .tooSmall:
            let mde = NumberText.pointSize(plan.mde ?? 0)
            result.append(
                "\(arm.name)'s lift is at most \(upper) points, short of the \(mde)-point lift you planned for: not worth acting on."
            )
        case .inconclusive:
            if comparison.diffCI.lower > 0 {
                if srm.flag {
                    result.append(
                        "the difference is between \(lower) and \(upper) points, above zero, but the sample ratio mismatch means it cannot be trusted."
                    )
                } else {
                    result.append(
                        "the interval (\(lower) to \(upper) points) is above zero but the exact test is not significant (adjusted \(NumberText.pEquals(comparison.pAdjusted)), alpha \(alphaText)): the evidence is too thin to act on."
                    )
                }
            } else if let mde = plan.mde {
                result.append(
                    "the difference is between \(lower) and \(upper) points: it includes both no effect and the \(NumberText.pointSize(mde))-point lift you planned for."
                )
            } else {
                result.append("the difference is between \(lower) and \(upper) points: it includes no effect.")
            }
        }
        return result
    }

    /// How many deals the planned lift needs, or what the current deals can detect.
    func dealsSentence(totalDeals: Int) -> String? {
        let powerText = NumberText.fixed(plan.power * 100, decimals: 0) + "%"
        if let mde = plan.mde, let needed = power.dealsNeeded {
            let mdeText = NumberText.pointSize(mde)
            if needed > totalDeals {
                return
                    "to detect the planned \(mdeText)-point lift with \(powerText) power takes about \(needed) deals in total (\(needed - totalDeals) more than the \(totalDeals) you have; \(power.dealsNeededMethod == .boschlooExact ? "Boschloo exact" : "normal approximation, the exact test needs slightly more"))."
            }
            return
                "the \(totalDeals) deals you have are about what the planned \(mdeText)-point lift needs (\(needed)), so the true lift is probably smaller than planned."
        }
        if power.mde.isFinite {
            return
                "with \(totalDeals) deals the smallest lift this test detects with \(powerText) power is about \(NumberText.pointSize(power.mde)) points (\(power.mdeMethod.note))."
        }
        return nil
    }
}
