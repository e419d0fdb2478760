#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Freeman–Halton exact test (Fisher's exact test extended to a 2×k table) for k binomial samples.
public enum FreemanHaltonTest {
    /// The p-value: the total probability, given all margins, of the tables no more likely than the observed one.
    ///
    /// Enumerates every table with the observed margins (multivariate hypergeometric), counting ties
    /// within 1e-7 relative as R's `fisher.test` does. scipy has no such test: the golden values come from
    /// a brute-force enumeration with `scipy.stats.multivariate_hypergeom` in `scripts/golden/stats.py`;
    /// agrees to 1e-9 relative. For k = 2 it equals Fisher's two-sided p-value. The work grows like the
    /// number of tables (≈ (n/k)^(k−1)); 4 arms of 200 deals take well under a second.
    /// - Parameters:
    ///   - successes: successes per sample.
    ///   - trials: trials per sample.
    /// - Returns: the p-value in [0, 1]; 1 when the table has an empty margin.
    public static func pValue(successes: [Int], trials: [Int]) -> Double {
        precondition(successes.count == trials.count, "one count per sample")
        let k = trials.count
        let total = successes.reduce(0, +)
        let grandTotal = trials.reduce(0, +)
        if k < 2 || total == 0 || total == grandTotal { return 1 }
        let logChoose = trials.map { n in (0...n).map { SpecialFunctions.logBinomialCoefficient(n, $0) } }
        let logNormaliser = SpecialFunctions.logBinomialCoefficient(grandTotal, total)
        var observedLog = -logNormaliser
        for j in 0..<k { observedLog += logChoose[j][successes[j]] }
        let limit = exp(observedLog) * (1 + 1e-7)
        // capacityAfter[j] = trials in samples j + 1 ..< k: the most successes they can still absorb.
        var capacityAfter = [Int](repeating: 0, count: k)
        for j in stride(from: k - 2, through: 0, by: -1) { capacityAfter[j] = capacityAfter[j + 1] + trials[j + 1] }
        var sum = 0.0
        func visit(_ j: Int, _ remaining: Int, _ logSoFar: Double) {
            if j == k - 1 {
                let probability = exp(logSoFar + logChoose[j][remaining] - logNormaliser)
                if probability <= limit { sum += probability }
                return
            }
            let lowest = max(0, remaining - capacityAfter[j])
            let highest = min(trials[j], remaining)
            if lowest > highest { return }
            for y in lowest...highest { visit(j + 1, remaining - y, logSoFar + logChoose[j][y]) }
        }
        visit(0, total, 0)
        return min(sum, 1)
    }
}
