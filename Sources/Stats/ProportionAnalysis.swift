/// The analysis of a conversion metric across a test's arms: the entry point of `journeylab analyze`
/// and of the report evaluator.
///
/// ```swift
/// let result = try ProportionAnalysis.analyze(
///     [ArmCounts(name: "control", deals: 60, conversions: 12), ArmCounts(name: "treatment", deals: 65, conversions: 24)],
///     plan: AnalysisPlan(alpha: 0.05, mde: 0.15))
/// print(result.decision, result.reasons)
/// ```
public enum ProportionAnalysis {
    /// Compares every treatment with the baseline (the first arm) and decides.
    ///
    /// Each comparison has the Boschloo exact p-value (primary), Fisher and pooled-z p-values, Holm
    /// adjustment across comparisons, Newcombe and Katz intervals at level 1 − alpha, and the Bayesian
    /// probability to beat the baseline and expected loss. Decision per comparison: adopt when the
    /// Holm-adjusted p < alpha, the interval's low end is above 0 and the sample ratio is fine; reject
    /// when the interval's high end is below 0 or below the planned MDE; inconclusive otherwise. The
    /// hypothesis is adopted when any treatment is (the best one is named), rejected when all are,
    /// and is `continue` while the plan is incomplete and no sequential boundary was crossed.
    /// - Parameters:
    ///   - arms: the arms, baseline first; at least two, with distinct names.
    ///   - plan: the plan to judge against.
    /// - Returns: the result, encodable as the report JSON.
    /// - Throws: `StatsError` with a message saying what to fix when the counts or the plan are invalid.
    public static func analyze(_ arms: [ArmCounts], plan: AnalysisPlan = AnalysisPlan()) throws -> AnalysisResult {
        try validate(arms, plan: plan)
        let alpha = plan.alpha
        let baseline = arms[0]
        let armSummaries = arms.map { arm in
            AnalysisResult.Arm(
                name: arm.name, enrolled: arm.enrolled, deals: arm.deals, conversions: arm.conversions, rate: arm.rate,
                rateCI: ProportionInterval.wilson(successes: arm.conversions, trials: arm.deals, alpha: alpha))
        }
        var comparisons = arms.dropFirst().map { arm in compare(arm, with: baseline, plan: plan) }
        let adjusted = MultipleTesting.holm(comparisons.map { $0.pValue.isNaN ? 1 : $0.pValue })
        for index in comparisons.indices {
            comparisons[index].pAdjusted = comparisons[index].pValue.isNaN ? .nan : adjusted[index]
        }
        let srmCheck = SampleRatioMismatch.check(counts: arms.map(\.enrolled), weights: plan.weights)
        let srm = AnalysisResult.SampleRatio(pValue: srmCheck.pValue, flag: srmCheck.flag)
        let power = powerSummary(arms, plan: plan)
        let verdict = AnalysisNarrative(arms: arms, comparisons: comparisons, srm: srm, power: power, plan: plan)
            .decide()
        return AnalysisResult(
            metric: plan.metric, arms: armSummaries, comparisons: comparisons, srm: srm, power: power,
            decision: verdict.decision, reasons: verdict.reasons)
    }

    /// Everything about one treatment against the baseline, except the Holm adjustment.
    static func compare(_ arm: ArmCounts, with baseline: ArmCounts, plan: AnalysisPlan) -> AnalysisResult.Comparison {
        let alpha = plan.alpha
        let (x1, n1, x2, n2) = (arm.conversions, arm.deals, baseline.conversions, baseline.deals)
        let ratioInterval = TwoProportionInterval.riskRatio(
            successes1: x1, trials1: n1, successes2: x2, trials2: n2, alpha: alpha)
        let relativeLift: Double
        if n1 == 0 || n2 == 0 || (x1 == 0 && x2 == 0) {
            relativeLift = .nan
        } else {
            relativeLift = arm.rate / baseline.rate - 1
        }
        let pValue = BoschlooExactTest.pValue(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
        return AnalysisResult.Comparison(
            arm: arm.name, baseline: baseline.name, diff: arm.rate - baseline.rate,
            diffCI: TwoProportionInterval.newcombeDifference(
                successes1: x1, trials1: n1, successes2: x2, trials2: n2, alpha: alpha),
            relativeLift: relativeLift,
            relativeLiftCI: Interval(lower: ratioInterval.lower - 1, upper: ratioInterval.upper - 1),
            pValue: pValue,
            pFisher: n1 == 0 || n2 == 0
                ? .nan : FisherExactTest.pValue(successes1: x1, trials1: n1, successes2: x2, trials2: n2),
            pZTest: ProportionZTest.pooled(successes1: x1, trials1: n1, successes2: x2, trials2: n2).pValue,
            pAdjusted: .nan,
            probBeatBaseline: BayesianProportions.probabilityToBeat(
                arm: (x1, n1), baseline: (x2, n2), prior: plan.prior),
            expectedLoss: BayesianProportions.expectedLoss(arm: (x1, n1), baseline: (x2, n2), prior: plan.prior))
    }

    /// The power section at alpha / (number of treatments): normal approximation on Cohen's h, or Boschloo's exact
    /// test for all three figures where the normal approximation is unreliable (`normalApproximationIsUnreliable`).
    static func powerSummary(_ arms: [ArmCounts], plan: AnalysisPlan) -> AnalysisResult.Power {
        let treatments = arms.count - 1
        let comparisonAlpha = plan.alpha / Double(treatments)
        let weights = plan.weights ?? [Double](repeating: 1, count: arms.count)
        let baselineRate = plan.baselineRate ?? arms[0].rate
        // The deals the MDE refers to: those in hand, or the planned ones while the test is still running.
        var perArm = arms.map { Double($0.deals) }
        if !plan.isComplete, let target = plan.targetDeals {
            let planned = DealSplit(total: target, weights: weights).deals
            perArm = zip(perArm, planned).map { max($0, Double($1)) }
        }
        let baselineDeals = perArm[0]
        let treatmentDeals = perArm.dropFirst().min() ?? 0
        var mde = Double.nan
        if baselineDeals > 0, treatmentDeals > 0, baselineRate.isFinite {
            mde =
                NormalApproximationPower.minimumDetectableLift(
                    baseline: baselineRate, nobs1: baselineDeals, ratio: treatmentDeals / baselineDeals,
                    alpha: comparisonAlpha, power: plan.power) ?? .nan
        }
        var mdeMethod = AnalysisResult.Power.Method.normalApproximation
        // Built once where the normal approximation is unreliable: the MDE and the power at the planned lift
        // both read it, so the three figures below never contradict each other (an exact MDE of 13 points beside
        // a normal-approximation power of 90% at 10 points would).
        var region: ExactRejectionRegion?
        if Self.normalApproximationIsUnreliable(
            baseline: baselineRate, lift: mde, baselineDeals: baselineDeals, treatmentDeals: treatmentDeals),
            baselineDeals <= Self.exactPowerDealsLimit, treatmentDeals <= Self.exactPowerDealsLimit
        {
            let exact = ExactRejectionRegion(
                test: .boschloo, trials1: Int(baselineDeals), trials2: Int(treatmentDeals), alpha: comparisonAlpha)
            mde = ExactPower.minimumDetectableLift(in: exact, baselineRate: baselineRate, power: plan.power) ?? .nan
            mdeMethod = .boschlooExact
            region = exact
        }
        var powerAtMDE = Double.nan
        let lift = plan.mde ?? mde
        if lift.isFinite, baselineDeals > 0, treatmentDeals > 0, baselineRate.isFinite, baselineRate + lift <= 1 {
            powerAtMDE =
                region?.power(rate1: baselineRate, rate2: baselineRate + lift)
                ?? NormalApproximationPower.power(
                    effectSize: NormalApproximationPower.effectSize(baselineRate + lift, baselineRate), nobs1: baselineDeals,
                    ratio: treatmentDeals / baselineDeals, alpha: comparisonAlpha)
        }
        var dealsNeeded: Int?
        var dealsNeededMethod = AnalysisResult.Power.Method.normalApproximation
        if let planned = plan.mde, baselineRate.isFinite, baselineRate + planned <= 1 {
            let smallestTreatmentWeight = weights.dropFirst().min() ?? weights[0]
            // Baseline deals; the exact search stops at twice a typical plan (a region costs the square of the deals).
            var nobs1: Double?
            if region != nil, let split = ExactPower.dealsNeeded(
                test: .boschloo, baselineRate: baselineRate, lift: planned,
                weights: (weights[0], smallestTreatmentWeight), alpha: comparisonAlpha, power: plan.power,
                maximumDeals: Int(Self.exactPowerDealsLimit))
            {
                dealsNeededMethod = .boschlooExact
                // Two arms: the search's own total (scaling its baseline back up could round one deal over).
                if weights.count == 2 { dealsNeeded = split.total }
                nobs1 = Double(split.deals[0])
            } else {
                nobs1 = NormalApproximationPower.sampleSize(
                    effectSize: NormalApproximationPower.effectSize(baselineRate + planned, baselineRate),
                    ratio: smallestTreatmentWeight / weights[0], alpha: comparisonAlpha, power: plan.power)
            }
            if dealsNeeded == nil, let nobs1 {
                let perArm = weights.compactMap { PlanningLimits.countRoundedUp(nobs1 * $0 / weights[0]) }
                if perArm.count == weights.count { dealsNeeded = perArm.reduce(0, +) }
            }
        }
        return AnalysisResult.Power(
            mde: mde, mdeMethod: mdeMethod, powerAtMDE: powerAtMDE, dealsNeeded: dealsNeeded,
            dealsNeededMethod: dealsNeededMethod)
    }

    /// Deals per arm up to which the exact MDE is computed (its region has (n1 + 1)(n2 + 1) tables: a few
    /// tens of milliseconds at this size); beyond it the normal answer stands.
    static let exactPowerDealsLimit = 300.0

    /// The usual rule for the normal approximation to a binomial: at least 5 expected conversions and 5
    /// expected non-conversions in each arm, at the baseline rate and at the lifted one.
    static func normalApproximationIsUnreliable(baseline: Double, lift: Double, baselineDeals: Double, treatmentDeals: Double)
        -> Bool
    {
        guard baseline.isFinite, baselineDeals > 0, treatmentDeals > 0 else { return false }
        let lifted = lift.isFinite ? min(1, baseline + lift) : 1
        return min(baseline, 1 - baseline) * baselineDeals < 5 || min(lifted, 1 - lifted) * treatmentDeals < 5
    }

    /// Checks the counts and the plan.
    /// - Throws: `StatsError` saying what to fix.
    public static func validate(_ arms: [ArmCounts], plan: AnalysisPlan) throws {
        guard arms.count >= 2 else {
            throw StatsError(
                .tooFewArms,
                "an analysis needs at least two arms, a baseline and a treatment (got \(arms.count)); add another arm")
        }
        var seen = Set<String>()
        for arm in arms {
            guard !arm.name.isEmpty else {
                throw StatsError(.invalidCounts, "every arm needs a name; give the unnamed arm one")
            }
            guard seen.insert(arm.name).inserted else {
                throw StatsError(.duplicateArm, "two arms are both named '\(arm.name)'; give each arm its own name")
            }
            guard arm.enrolled >= 0, arm.deals >= 0, arm.conversions >= 0 else {
                throw StatsError(
                    .invalidCounts,
                    "arm '\(arm.name)' has a negative count (enrolled \(arm.enrolled), deals \(arm.deals), conversions \(arm.conversions)); counts must be 0 or more"
                )
            }
            guard arm.conversions <= arm.deals else {
                throw StatsError(
                    .invalidCounts,
                    "arm '\(arm.name)' has \(arm.conversions) conversions out of \(arm.deals) deals; conversions cannot exceed deals"
                )
            }
            guard arm.deals <= arm.enrolled else {
                throw StatsError(
                    .invalidCounts,
                    "arm '\(arm.name)' has \(arm.deals) resolved deals but only \(arm.enrolled) enrolled; resolved deals cannot exceed enrolled"
                )
            }
        }
        // The ranges a hypothesis may plan, so `analyze` judges counts as its report would.
        try PlanningLimits.checkAlpha(plan.alpha)
        try PlanningLimits.checkPower(plan.power)
        if let mde = plan.mde {
            guard mde > 0, mde < 1 else {
                throw StatsError(
                    .invalidParameter,
                    "the MDE is an absolute lift between 0 and 1 (got \(mde)); write 15 points as 0.15")
            }
            try PlanningLimits.checkLift(mde)
        }
        if let weights = plan.weights {
            guard weights.count == arms.count, weights.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw StatsError(
                    .invalidParameter,
                    "give one positive weight per arm (\(arms.count) arms, got \(weights.count) weights: \(weights))")
            }
            try PlanningLimits.checkWeights(weights)
        }
        if let target = plan.targetDeals, target <= 0 {
            throw StatsError(.invalidParameter, "the target number of deals must be positive (got \(target))")
        }
        if let rate = plan.baselineRate, !(rate >= 0 && rate <= 1) {
            throw StatsError(.invalidParameter, "the baseline rate must be between 0 and 1 (got \(rate))")
        }
        guard plan.prior.alpha > 0, plan.prior.beta > 0, plan.prior.alpha.isFinite, plan.prior.beta.isFinite else {
            throw StatsError(
                .invalidParameter, "Beta prior shapes must be positive (got \(plan.prior.alpha), \(plan.prior.beta))")
        }
    }
}
