/// A sample-ratio-mismatch check: did the arms receive the shares of deals the plan said they would?
public enum SampleRatioMismatch {
    /// The p-value below which a mismatch is flagged (the usual, deliberately strict, 0.001).
    public static let threshold = 0.001

    /// The outcome of the check.
    public struct Result: Sendable, Hashable {
        /// The chi-square goodness-of-fit p-value; NaN when nothing was enrolled.
        public let pValue: Double
        /// Whether the p-value is below `SampleRatioMismatch.threshold`.
        public let flag: Bool
    }

    /// Checks enrolled counts against planned weights.
    ///
    /// Agrees with `scipy.stats.chisquare` (see `ChiSquareGoodnessOfFit`) to 1e-12; flags at p < 0.001.
    /// - Parameters:
    ///   - counts: deals enrolled per arm.
    ///   - weights: the planned allocation weights, or nil for equal allocation.
    /// - Returns: the p-value and the flag.
    public static func check(counts: [Int], weights: [Double]? = nil) -> Result {
        let weights = weights ?? [Double](repeating: 1, count: counts.count)
        let test = ChiSquareGoodnessOfFit.test(observed: counts, weights: weights)
        return Result(pValue: test.pValue, flag: test.pValue < threshold)
    }
}
