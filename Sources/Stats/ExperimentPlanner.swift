/// Plans a test: the smallest lift a number of deals can detect, or the deals a lift needs, by the
/// normal approximation and by exact enumeration of Boschloo's and Fisher's rejection regions.
///
/// With more than one treatment, each is compared with the baseline at alpha / treatments (the
/// first step of Holm's procedure), and the treatment with the smallest weight is the one planned for.
public enum ExperimentPlanner {
    /// Answers a planning request.
    ///
    /// The normal column agrees with statsmodels `NormalIndPower` (see `NormalApproximationPower`); the
    /// exact columns with brute-force enumeration (see `ExactPower`).
    /// - Parameter request: the request; exactly one of `deals` and `mde` must be set.
    /// - Returns: the three methods side by side, and the sequential boundaries when looks were asked for.
    /// - Throws: `StatsError` saying what to fix when the request is out of range.
    public static func plan(_ request: PlanningRequest) throws -> PlanningResult {
        try validate(request)
        let weights = request.weights
        let treatments = weights.count - 1
        let comparisonAlpha = request.alpha / Double(treatments)
        // Plan for the treatment with the smallest share: it has the least power.
        let treatmentIndex = weights.indices.dropFirst().min { weights[$0] < weights[$1] } ?? 1
        let pairWeights = (baseline: weights[0], treatment: weights[treatmentIndex])
        let ratio = pairWeights.treatment / pairWeights.baseline
        let p1 = request.baselineRate

        var normal = PlanningResult.Method()
        var boschloo = PlanningResult.Method()
        var fisher = PlanningResult.Method()
        if let deals = request.deals {
            let split = DealSplit(total: deals, weights: weights)
            let n1 = split.deals[0]
            let n2 = split.deals[treatmentIndex]
            let normalLift =
                n1 > 0 && n2 > 0
                ? NormalApproximationPower.minimumDetectableLift(
                    baseline: p1, nobs1: Double(n1), ratio: Double(n2) / Double(n1), alpha: comparisonAlpha,
                    power: request.power) : nil
            normal = PlanningResult.Method(
                mde: normalLift, deals: deals, dealsPerArm: split.deals, power: normalLift == nil ? nil : request.power)
            for test in ExactTestKind.allCases {
                var method = PlanningResult.Method(mde: nil, deals: deals, dealsPerArm: split.deals, power: nil)
                if n1 > 0 && n2 > 0 && deals <= ExactPower.searchLimit,
                    let lift = ExactPower.minimumDetectableLift(
                        test: test, baselineRate: p1, baselineDeals: n1, treatmentDeals: n2, alpha: comparisonAlpha,
                        power: request.power)
                {
                    method.mde = lift
                    method.power = ExactPower.power(
                        test: test, baselineRate: p1, treatmentRate: p1 + lift, baselineDeals: n1, treatmentDeals: n2,
                        alpha: comparisonAlpha)
                }
                if test == .boschloo { boschloo = method } else { fisher = method }
            }
        } else if let lift = request.mde {
            let h = NormalApproximationPower.effectSize(p1 + lift, p1)
            if let nobs1 = NormalApproximationPower.sampleSize(
                effectSize: h, ratio: ratio, alpha: comparisonAlpha, power: request.power),
                case let perArm = weights.compactMap({ PlanningLimits.countRoundedUp(nobs1 * $0 / weights[0]) }),
                perArm.count == weights.count
            {
                let total = perArm.reduce(0, +)
                normal = PlanningResult.Method(
                    mde: lift, deals: total, dealsPerArm: perArm,
                    power: NormalApproximationPower.power(
                        effectSize: h, nobs1: Double(perArm[0]), ratio: Double(perArm[treatmentIndex]) / Double(perArm[0]),
                        alpha: comparisonAlpha))
            }
            for test in ExactTestKind.allCases {
                var method = PlanningResult.Method(mde: lift, deals: nil, dealsPerArm: nil, power: nil)
                if let pair = ExactPower.dealsNeeded(
                    test: test, baselineRate: p1, lift: lift, weights: pairWeights, alpha: comparisonAlpha,
                    power: request.power)
                {
                    // The pair is the baseline and the smallest treatment; other treatments scale from it.
                    let perArm = weights.indices.map { index in
                        index == 0
                            ? pair.deals[0]
                            : Int((Double(pair.deals[1]) * weights[index] / pairWeights.treatment).rounded(.up))
                    }
                    method.dealsPerArm = perArm
                    method.deals = perArm.reduce(0, +)
                    method.power = ExactPower.power(
                        test: test, baselineRate: p1, treatmentRate: p1 + lift, baselineDeals: pair.deals[0],
                        treatmentDeals: pair.deals[1], alpha: comparisonAlpha)
                }
                if test == .boschloo { boschloo = method } else { fisher = method }
            }
        }

        var sequential: PlanningResult.Sequential?
        if let looks = request.looks {
            let fractions = GroupSequentialDesign.equallySpaced(looks: looks)
            let boundaries = try GroupSequentialDesign.boundaries(
                alpha: comparisonAlpha, informationFractions: fractions, spending: request.spending)
            let total = boschloo.deals ?? normal.deals ?? request.deals ?? 0
            sequential = PlanningResult.Sequential(
                boundaries: boundaries, dealsAtLook: fractions.map { Int(($0 * Double(total)).rounded(.up)) })
        }
        return PlanningResult(
            baseline: p1, alpha: request.alpha, comparisonAlpha: comparisonAlpha, power: request.power, weights: weights,
            solvedFor: request.deals != nil ? "mde" : "deals", normal: normal, boschloo: boschloo, fisher: fisher,
            sequential: sequential)
    }

    /// Checks a request.
    /// - Throws: `StatsError` saying what to fix.
    public static func validate(_ request: PlanningRequest) throws {
        guard request.baselineRate > 0, request.baselineRate < 1 else {
            throw StatsError(
                .invalidParameter, "the baseline rate must be between 0 and 1 (got \(request.baselineRate)); write 20% as 0.2")
        }
        guard (request.deals == nil) != (request.mde == nil) else {
            throw StatsError(.invalidParameter, "give exactly one of the number of deals or the MDE")
        }
        if let deals = request.deals {
            guard deals >= request.weights.count, deals <= 100_000 else {
                throw StatsError(
                    .invalidParameter,
                    "the number of deals must be between \(request.weights.count) and 100000 (got \(deals))")
            }
        }
        if let mde = request.mde {
            guard mde > 0, request.baselineRate + mde <= 1 else {
                throw StatsError(
                    .invalidParameter,
                    "the MDE must be a positive lift that keeps the rate at most 1 (baseline \(request.baselineRate) + \(mde)); write 10 points as 0.1"
                )
            }
            try PlanningLimits.checkLift(mde)
        }
        guard request.weights.count >= 2, request.weights.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw StatsError(
                .invalidParameter, "give at least two positive weights, baseline first, e.g. 1,1 (got \(request.weights))")
        }
        try PlanningLimits.checkWeights(request.weights)
        // The ranges `hypothesis register` takes: a plan made here can be registered.
        try PlanningLimits.checkAlpha(request.alpha)
        try PlanningLimits.checkPower(request.power)
        // As many as a hypothesis may plan (`hypothesis register --looks`), so a design made here can be registered.
        if let looks = request.looks, !(1...5).contains(looks) {
            throw StatsError(.invalidParameter, "a sequential design has 1 to 5 looks, as a hypothesis may plan (got \(looks))")
        }
    }
}
