/// Large-sample z-tests for the difference of two independent proportions, p1 − p2.
public enum ProportionZTest {
    /// The outcome of a z-test.
    public struct Result: Sendable, Hashable {
        /// The z statistic (positive when sample 1's rate is higher); NaN when its variance is 0.
        public let statistic: Double
        /// The two-sided p-value, 2 · P(Z > |z|); NaN when the statistic is.
        public let pValue: Double
    }

    /// The pooled two-proportion z-test: the variance uses the pooled rate (x1 + x2)/(n1 + n2).
    ///
    /// Agrees with statsmodels `proportions_ztest([x1, x2], [n1, n2])` (two-sided) to 1e-12 relative,
    /// including NaN when no sample has a success or all have.
    /// - Parameters:
    ///   - successes1: successes in sample 1.
    ///   - trials1: trials in sample 1.
    ///   - successes2: successes in sample 2.
    ///   - trials2: trials in sample 2.
    /// - Returns: z and the two-sided p-value.
    public static func pooled(successes1: Int, trials1: Int, successes2: Int, trials2: Int) -> Result {
        guard trials1 > 0, trials2 > 0 else { return Result(statistic: .nan, pValue: .nan) }
        let p1 = Double(successes1) / Double(trials1)
        let p2 = Double(successes2) / Double(trials2)
        let pooled = Double(successes1 + successes2) / Double(trials1 + trials2)
        let variance = pooled * (1 - pooled) * (1 / Double(trials1) + 1 / Double(trials2))
        return result(difference: p1 - p2, standardError: variance.squareRoot())
    }

    /// The unpooled (Wald) z-test: the variance is p1(1 − p1)/n1 + p2(1 − p2)/n2.
    ///
    /// Agrees with statsmodels `test_proportions_2indep(x1, n1, x2, n2, method="wald", compare="diff")` to 1e-12 relative.
    /// - Parameters:
    ///   - successes1: successes in sample 1.
    ///   - trials1: trials in sample 1.
    ///   - successes2: successes in sample 2.
    ///   - trials2: trials in sample 2.
    /// - Returns: z and the two-sided p-value.
    public static func unpooled(successes1: Int, trials1: Int, successes2: Int, trials2: Int) -> Result {
        guard trials1 > 0, trials2 > 0 else { return Result(statistic: .nan, pValue: .nan) }
        let p1 = Double(successes1) / Double(trials1)
        let p2 = Double(successes2) / Double(trials2)
        let variance = p1 * (1 - p1) / Double(trials1) + p2 * (1 - p2) / Double(trials2)
        return result(difference: p1 - p2, standardError: variance.squareRoot())
    }

    static func result(difference: Double, standardError: Double) -> Result {
        let z = difference / standardError
        if z.isNaN { return Result(statistic: .nan, pValue: .nan) }
        return Result(statistic: z, pValue: 2 * NormalDistribution.sf(abs(z)))
    }
}
