#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Two-sided group-sequential boundaries from a Lan–DeMets alpha-spending function.
///
/// Under H₀ the score S(t) = Z(t)·√t is a Brownian motion in the information fraction t. The
/// boundary at look k is chosen so that P(no earlier crossing, |Z_k| ≥ c_k) = α(t_k) − α(t_{k−1}).
/// Those probabilities come from the Armitage–McPherson–Rowe (1969) recursion: the sub-density of
/// S at each look on the continuation region is the previous one convolved with the Gaussian
/// increment, integrated numerically (composite Simpson rule on a grid finer than 1/16 of the
/// increment's standard deviation).
public enum GroupSequentialDesign {
    /// Equally spaced information fractions 1/K, 2/K, …, 1.
    /// - Parameter looks: the number of looks K ≥ 1.
    /// - Returns: the fractions.
    public static func equallySpaced(looks: Int) -> [Double] {
        (1...max(looks, 1)).map { Double($0) / Double(max(looks, 1)) }
    }

    /// The boundaries for looks at the given information fractions.
    ///
    /// Three equal looks with O'Brien–Fleming-type spending at alpha 0.05 give 3.3948, 2.4067, 2.0152.
    /// Agrees to 1e-4 with boundaries solved in `scripts/golden/stats.py` from `scipy.stats.multivariate_normal.cdf`.
    /// - Parameters:
    ///   - alpha: the total two-sided alpha, in (0, 1).
    ///   - informationFractions: strictly increasing fractions in (0, 1]; 1 to 10 looks.
    ///   - spending: the spending function.
    /// - Returns: the boundaries.
    /// - Throws: `StatsError` when alpha or the fractions are out of range.
    public static func boundaries(
        alpha: Double, informationFractions: [Double], spending: AlphaSpendingFunction
    ) throws -> SequentialBoundaries {
        guard alpha > 0, alpha < 1 else {
            throw StatsError(.invalidParameter, "alpha must be between 0 and 1 (got \(alpha)); use e.g. 0.05")
        }
        guard (1...10).contains(informationFractions.count) else {
            throw StatsError(
                .invalidParameter, "a sequential design needs 1 to 10 looks (got \(informationFractions.count))")
        }
        var previous = 0.0
        for fraction in informationFractions {
            guard fraction > previous, fraction <= 1 else {
                throw StatsError(
                    .invalidParameter,
                    "information fractions must increase strictly within (0, 1] (got \(informationFractions))")
            }
            previous = fraction
        }
        var critical: [Double] = []
        var cumulative: [Double] = []
        // The continuation sub-density at the previous look, on a Simpson grid: points and weight × density.
        var points: [Double] = []
        var weightedDensity: [Double] = []
        var spentSoFar = 0.0
        for (index, t) in informationFractions.enumerated() {
            let target = spending.spent(alpha: alpha, at: t)
            let increment = target - spentSoFar
            let c: Double
            if index == 0 {
                c = increment > 1e-300 ? NormalDistribution.quantile(1 - increment / 2) : .infinity
            } else {
                let sd = (t - informationFractions[index - 1]).squareRoot()
                let root = t.squareRoot()
                func exitProbability(_ c: Double) -> Double {
                    var sum = 0.0
                    for (u, wf) in zip(points, weightedDensity) {
                        sum += wf * (NormalDistribution.cdf((u - c * root) / sd) + NormalDistribution.cdf((-c * root - u) / sd))
                    }
                    return sum
                }
                if increment <= 1e-300 {
                    c = .infinity
                } else {
                    c = RootFinding.brent(lower: 0, upper: 40, tolerance: 1e-12) { exitProbability($0) - increment } ?? 0
                }
            }
            critical.append(c)
            cumulative.append(target)
            spentSoFar = target
            // The sub-density of S(t) on the continuation region |S| < c√t, for the next look.
            guard index + 1 < informationFractions.count else { break }
            let currentSD = (t - (index == 0 ? 0 : informationFractions[index - 1])).squareRoot()
            let nextSD = min((informationFractions[index + 1] - t).squareRoot(), currentSD)
            let halfWidth = min(c, 12) * t.squareRoot()
            let intervals = min(max(Int((2 * halfWidth / (nextSD / 16)).rounded(.up)), 200), 6000) & ~1
            let step = 2 * halfWidth / Double(intervals)
            let newPoints = (0...intervals).map { -halfWidth + Double($0) * step }
            var density = [Double](repeating: 0, count: newPoints.count)
            if index == 0 {
                let sd0 = t.squareRoot()
                for (i, v) in newPoints.enumerated() { density[i] = NormalDistribution.density(v / sd0) / sd0 }
            } else {
                let sd = (t - informationFractions[index - 1]).squareRoot()
                for (i, v) in newPoints.enumerated() {
                    var sum = 0.0
                    for (u, wf) in zip(points, weightedDensity) { sum += wf * NormalDistribution.density((v - u) / sd) }
                    density[i] = sum / sd
                }
            }
            points = newPoints
            weightedDensity = density.enumerated().map { i, f in
                let simpson: Double = (i == 0 || i == intervals) ? 1 : (i % 2 == 1 ? 4 : 2)
                return f * simpson * step / 3
            }
        }
        return SequentialBoundaries(
            spending: spending, alpha: alpha, informationFractions: informationFractions, critical: critical,
            nominalAlpha: critical.map { $0.isFinite ? 2 * NormalDistribution.sf($0) : 0 }, cumulativeAlpha: cumulative)
    }
}
