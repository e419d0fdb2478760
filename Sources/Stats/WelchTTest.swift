/// Welch's two-sample t-test (unequal variances), two-sided.
public enum WelchTTest {
    /// The outcome of the test.
    public struct Result: Sendable, Hashable {
        /// t = (mean(x) − mean(y)) / √(s²x/nx + s²y/ny).
        public let statistic: Double
        /// The Welch–Satterthwaite degrees of freedom.
        public let degreesOfFreedom: Double
        /// The two-sided p-value; NaN when a sample has fewer than 2 values or both variances are 0.
        public let pValue: Double
    }

    /// Tests whether two samples have the same mean.
    ///
    /// Agrees with `scipy.stats.ttest_ind(x, y, equal_var=False)` to 1e-10 relative.
    /// - Parameters:
    ///   - x: the first sample (e.g. revenue per deal in the treatment).
    ///   - y: the second sample.
    /// - Returns: t, degrees of freedom and p.
    public static func test(_ x: [Double], _ y: [Double]) -> Result {
        guard x.count >= 2, y.count >= 2 else { return Result(statistic: .nan, degreesOfFreedom: .nan, pValue: .nan) }
        let nx = Double(x.count)
        let ny = Double(y.count)
        let meanX = x.reduce(0, +) / nx
        let meanY = y.reduce(0, +) / ny
        let varianceX = x.reduce(0) { $0 + ($1 - meanX) * ($1 - meanX) } / (nx - 1)
        let varianceY = y.reduce(0) { $0 + ($1 - meanY) * ($1 - meanY) } / (ny - 1)
        let termX = varianceX / nx
        let termY = varianceY / ny
        let standardError = (termX + termY).squareRoot()
        let t = (meanX - meanY) / standardError
        var df = (termX + termY) * (termX + termY) / (termX * termX / (nx - 1) + termY * termY / (ny - 1))
        // scipy's convention when both variances are 0 (0/0).
        if df.isNaN { df = 1 }
        guard t.isFinite, df.isFinite else { return Result(statistic: t, degreesOfFreedom: df, pValue: .nan) }
        let p = 2 * StudentTDistribution.sf(abs(t), degreesOfFreedom: df)
        return Result(statistic: t, degreesOfFreedom: df, pValue: min(p, 1))
    }
}
