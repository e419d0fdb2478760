/// Power, minimum detectable lift and deals needed for an exact two-sided test of two proportions,
/// by enumerating the test's rejection region (see `ExactRejectionRegion`).
///
/// Exact power is a saw-tooth in the number of deals (the discrete region jumps), so "deals needed"
/// is the first total at which the power reaches the target, searching deal by deal up from the
/// normal-approximation answer (or down from there while the power still holds).
public enum ExactPower {
    /// The power of `test` at level alpha to detect `treatmentRate` against `baselineRate`.
    ///
    /// Agrees with a brute-force enumeration over `scipy.stats.fisher_exact` (Fisher) to 1e-12, and with a
    /// dense-grid Boschloo region (Boschloo) to 1e-9.
    /// - Parameters:
    ///   - test: Fisher or Boschloo.
    ///   - baselineRate: the baseline's true rate.
    ///   - treatmentRate: the treatment's true rate.
    ///   - baselineDeals: deals in the baseline.
    ///   - treatmentDeals: deals in the treatment.
    ///   - alpha: the two-sided level.
    /// - Returns: the probability that the test rejects.
    public static func power(
        test: ExactTestKind, baselineRate: Double, treatmentRate: Double, baselineDeals: Int, treatmentDeals: Int,
        alpha: Double = 0.05
    ) -> Double {
        ExactRejectionRegion(test: test, trials1: baselineDeals, trials2: treatmentDeals, alpha: alpha)
            .power(rate1: baselineRate, rate2: treatmentRate)
    }

    /// The smallest lift p2 − p1 > 0 that `test` detects with the target power; nil when even p2 = 1 falls short.
    ///
    /// Solves `power(...) = target` in p2 by bisection to 1e-10 (power grows with p2 above p1).
    /// - Parameters:
    ///   - test: Fisher or Boschloo.
    ///   - baselineRate: the baseline rate p1.
    ///   - baselineDeals: deals in the baseline.
    ///   - treatmentDeals: deals in the treatment.
    ///   - alpha: the two-sided level.
    ///   - power: the target power.
    /// - Returns: the minimum detectable absolute lift.
    public static func minimumDetectableLift(
        test: ExactTestKind, baselineRate: Double, baselineDeals: Int, treatmentDeals: Int, alpha: Double = 0.05,
        power target: Double
    ) -> Double? {
        minimumDetectableLift(
            in: ExactRejectionRegion(test: test, trials1: baselineDeals, trials2: treatmentDeals, alpha: alpha),
            baselineRate: baselineRate, power: target)
    }

    /// The same on a region already built (the analysis asks it for the power at the planned lift too).
    static func minimumDetectableLift(in region: ExactRejectionRegion, baselineRate: Double, power target: Double) -> Double? {
        if region.power(rate1: baselineRate, rate2: 1) < target { return nil }
        var low = baselineRate
        var high = 1.0
        while high - low > 1e-10 {
            let middle = 0.5 * (low + high)
            if region.power(rate1: baselineRate, rate2: middle) >= target { high = middle } else { low = middle }
        }
        return high - baselineRate
    }

    /// The most deals the planner enumerates exact rejection regions for: the work grows with the square of the
    /// deals (about a minute at 8,000 in a debug build), and at this size the normal approximation is accurate.
    public static let searchLimit = 2000

    /// The smallest total number of deals (split between baseline and treatment by `weights`) at which
    /// `test` reaches the target power for `lift`; nil beyond `maximumDeals`. Agrees with a brute-force search
    /// from 2 deals up over scipy's hypergeometric probabilities (`Fixtures/exact_deals.json`, Fisher); below
    /// the first total found it searches until max(12, total/20) totals in a row fall short.
    /// - Parameters:
    ///   - test: Fisher or Boschloo.
    ///   - baselineRate: the baseline rate p1.
    ///   - lift: the absolute lift p2 − p1 to detect (nonzero, p2 within [0, 1]).
    ///   - weights: (baseline, treatment) allocation weights.
    ///   - alpha: the two-sided level.
    ///   - power: the target power.
    ///   - maximumDeals: where the search gives up.
    /// - Returns: the deals per arm (baseline, treatment).
    public static func dealsNeeded(
        test: ExactTestKind, baselineRate: Double, lift: Double, weights: (baseline: Double, treatment: Double) = (1, 1),
        alpha: Double = 0.05, power target: Double, maximumDeals: Int = searchLimit
    ) -> DealSplit? {
        let treatmentRate = baselineRate + lift
        guard lift != 0, treatmentRate >= 0, treatmentRate <= 1 else { return nil }
        let weightList = [weights.baseline, weights.treatment]
        func reaches(_ total: Int) -> Bool {
            let split = DealSplit(total: total, weights: weightList)
            guard split.deals.allSatisfy({ $0 > 0 }) else { return false }
            return power(
                test: test, baselineRate: baselineRate, treatmentRate: treatmentRate, baselineDeals: split.deals[0],
                treatmentDeals: split.deals[1], alpha: alpha) >= target
        }
        let h = NormalApproximationPower.effectSize(treatmentRate, baselineRate)
        let ratio = weights.treatment / weights.baseline
        let normal = NormalApproximationPower.sampleSize(effectSize: abs(h), ratio: ratio, alpha: alpha, power: target)
        guard let guess = PlanningLimits.countRoundedUp((normal ?? 10) * (1 + ratio)) else { return nil }
        // Exact tests need about what the normal approximation needs: start there and go up deal by deal until
        // the power is reached. Exact power is saw-toothed in the total (318 deals may reach it, 319 and 320 not,
        // 321 again), so from there look down too, past any tooth that falls short, until a run of
        // `window` totals in a row falls short.
        var total = max(guess, 2)
        if total > maximumDeals { return nil }
        while !reaches(total) {
            total += 1
            if total > maximumDeals { return nil }
        }
        let window = max(12, total / 20)
        var smallest = total
        var shortInARow = 0
        var candidate = total - 1
        while candidate >= 2 && shortInARow < window {
            if reaches(candidate) {
                smallest = candidate
                shortInARow = 0
            } else {
                shortInARow += 1
            }
            candidate -= 1
        }
        return DealSplit(total: smallest, weights: weightList)
    }
}
