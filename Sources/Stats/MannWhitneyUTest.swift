/// The Mann–Whitney U test (Wilcoxon rank-sum), two-sided, normal approximation with tie and continuity corrections.
public enum MannWhitneyUTest {
    /// The outcome of the test.
    public struct Result: Sendable, Hashable {
        /// U of the first sample: its rank sum minus nx(nx + 1)/2.
        public let statistic: Double
        /// The two-sided p-value (1 when every value is tied, as in scipy); NaN when a sample is empty.
        public let pValue: Double
    }

    /// Tests whether values in one sample tend to be larger than in the other.
    ///
    /// Agrees with `scipy.stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True)` to 1e-10 relative.
    /// - Parameters:
    ///   - x: the first sample.
    ///   - y: the second sample.
    /// - Returns: U of x and the two-sided p-value.
    public static func test(_ x: [Double], _ y: [Double]) -> Result {
        let nx = Double(x.count)
        let ny = Double(y.count)
        guard !x.isEmpty, !y.isEmpty else { return Result(statistic: .nan, pValue: .nan) }
        let pooled = (x.map { ($0, true) } + y.map { ($0, false) }).sorted { $0.0 < $1.0 }
        var rankSumX = 0.0
        var tieTerm = 0.0
        var start = 0
        while start < pooled.count {
            var end = start
            while end + 1 < pooled.count && pooled[end + 1].0 == pooled[start].0 { end += 1 }
            let averageRank = Double(start + end + 2) / 2
            let ties = Double(end - start + 1)
            tieTerm += ties * ties * ties - ties
            for index in start...end where pooled[index].1 { rankSumX += averageRank }
            start = end + 1
        }
        let u1 = rankSumX - nx * (nx + 1) / 2
        let u2 = nx * ny - u1
        let n = nx + ny
        let mean = nx * ny / 2
        let sd = (nx * ny / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
        let z = (max(u1, u2) - mean - 0.5) / sd
        // Every value tied: scipy's z is −∞ (p clipped to 1); 0/0 stays NaN.
        guard !z.isNaN else { return Result(statistic: u1, pValue: .nan) }
        return Result(statistic: u1, pValue: min(max(2 * NormalDistribution.sf(z), 0), 1))
    }
}
