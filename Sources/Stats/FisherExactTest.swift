/// Fisher's exact test for two independent binomial samples (a 2×2 table), conditional on all margins.
public enum FisherExactTest {
    /// The p-value of Fisher's exact test comparing x1/n1 with x2/n2.
    ///
    /// Two-sided: the total probability of the tables no more likely than the observed one, counting as ties
    /// probabilities within `tieTolerance` (1e-14 relative, scipy's convention; R's `fisher.test` uses 1e-7,
    /// which differs from scipy on near-ties such as 40/146 vs 20/58: 0.394 against 0.314). One-sided: the
    /// hypergeometric tail. Agrees with `scipy.stats.fisher_exact([[x1, x2], [n1 − x1, n2 − x2]])` to 1e-9
    /// relative (`Fixtures/fisher_ties.json` keeps the cases where the tie rule decides; a one-off sweep on
    /// 2026-11-24 — every table up to 25 per arm, four full margins up to 150, 20,000 random tables up to 150 —
    /// found no difference); like scipy, a table with an empty row or column has p = 1.
    /// - Parameters:
    ///   - successes1: successes in sample 1 (x1).
    ///   - trials1: trials in sample 1 (n1).
    ///   - successes2: successes in sample 2 (x2).
    ///   - trials2: trials in sample 2 (n2).
    ///   - alternative: `.less` when sample 1's rate is expected to be lower.
    /// - Returns: the p-value in [0, 1].
    public static func pValue(
        successes1: Int, trials1: Int, successes2: Int, trials2: Int, alternative: TestAlternative = .twoSided
    ) -> Double {
        let total = successes1 + successes2
        let failures = trials1 + trials2 - total
        if trials1 == 0 || trials2 == 0 || total == 0 || failures == 0 { return 1 }
        let slice = HypergeometricSlice(trials1: trials1, trials2: trials2, total: total)
        switch alternative {
        case .less:
            return slice.lowerTail(successes1)
        case .greater:
            return upperTail(slice, from: successes1)
        case .twoSided:
            let observed = slice.probability(successes1) * (1 + tieTolerance)
            var sum = 0.0
            for probability in slice.probabilities where probability <= observed { sum += probability }
            return min(sum, 1)
        }
    }

    /// scipy's relative tie tolerance. The probabilities come from ratio recurrences accurate to a few ulps, so
    /// true ties (mirror tables of equal arms) stay within it: the sweep above found none missed.
    static let tieTolerance = 1e-14

    /// P(Y₁ ≥ y), summed over the shorter side.
    static func upperTail(_ slice: HypergeometricSlice, from y: Int) -> Double {
        if y <= slice.lowest { return 1 }
        if y > slice.highest { return 0 }
        let cut = y - slice.lowest
        if slice.probabilities.count - cut <= slice.probabilities.count / 2 {
            var sum = 0.0
            for index in cut..<slice.probabilities.count { sum += slice.probabilities[index] }
            return sum
        }
        return 1 - slice.lowerTail(y - 1)
    }
}
