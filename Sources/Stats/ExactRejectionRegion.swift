/// The tables (x1 successes of n1, x2 of n2) that an exact two-sided test rejects at level alpha,
/// enumerated once so that power is a finite sum: Σ over the region of Binom(x1; n1, p1)·Binom(x2; n2, p2).
///
/// For Boschloo the region is found without testing every table: its p-value only grows with its
/// statistic (the one-sided Fisher p-value), so on each side the region is {T ≤ t*}, and t* is
/// found by galloping and bisection over the few statistics just above the level.
public struct ExactRejectionRegion: Sendable {
    /// The test.
    public let test: ExactTestKind
    /// Trials in sample 1.
    public let trials1: Int
    /// Trials in sample 2.
    public let trials2: Int
    /// The two-sided level: a table is rejected when its p-value is ≤ alpha.
    public let alpha: Double
    /// rejected[x1 · (n2 + 1) + x2].
    private let rejected: [Bool]

    /// Enumerates the rejection region.
    ///
    /// Agrees with a brute-force region built from `scipy.stats.fisher_exact` (Fisher) or from a
    /// dense-grid Boschloo supremum (Boschloo) table by table.
    /// - Parameters:
    ///   - test: Fisher or Boschloo.
    ///   - trials1: trials in sample 1, ≥ 1.
    ///   - trials2: trials in sample 2, ≥ 1.
    ///   - alpha: the two-sided level, in (0, 1).
    public init(test: ExactTestKind, trials1: Int, trials2: Int, alpha: Double) {
        self.test = test
        self.trials1 = trials1
        self.trials2 = trials2
        self.alpha = alpha
        let width = trials2 + 1
        var rejected = [Bool](repeating: false, count: (trials1 + 1) * width)
        switch test {
        case .fisher:
            for s in 0...(trials1 + trials2) {
                let slice = HypergeometricSlice(trials1: trials1, trials2: trials2, total: s)
                // Tables with an empty margin have p = 1 and are never rejected.
                if s == 0 || s == trials1 + trials2 { continue }
                for (offset, p) in slice.twoSidedPValues().enumerated() where p <= alpha {
                    let x1 = slice.lowest + offset
                    rejected[x1 * width + (s - x1)] = true
                }
            }
        case .boschloo:
            let half = alpha / 2
            let less = Self.boschlooOneSidedRegion(trials1: trials1, trials2: trials2, level: half)
            for x1 in 0...trials1 {
                for x2 in 0...trials2 where less[x1 * width + x2] { rejected[x1 * width + x2] = true }
            }
            let greater = Self.boschlooOneSidedRegion(trials1: trials2, trials2: trials1, level: half)
            let swappedWidth = trials1 + 1
            for x2 in 0...trials2 {
                for x1 in 0...trials1 where greater[x2 * swappedWidth + x1] { rejected[x1 * width + x2] = true }
            }
        }
        self.rejected = rejected
    }

    /// The "less" region of Boschloo's test at one-sided level `level`, as a flat (n1 + 1) × (n2 + 1) mask.
    ///
    /// Every threshold t ≤ level is valid, because P_π(T ≤ t) ≤ t for every π (the conditional test is
    /// valid in each slice). So the search starts from the largest statistic at or below the level and
    /// gallops upward over the statistics just above it, computing suprema only there.
    static func boschlooOneSidedRegion(trials1: Int, trials2: Int, level: Double) -> [Bool] {
        let statistic = BoschlooStatistic(trials1: trials1, trials2: trials2)
        let safeLevel = level / (1 + 2 * BoschlooStatistic.tieTolerance)
        var known = -Double.infinity  // the largest threshold known to be valid
        var above: [Double] = []
        let ceiling = min(16 * level, 1)
        for slice in statistic.cumulative {
            for value in slice {
                if value <= safeLevel {
                    known = max(known, value)
                } else if value <= ceiling {
                    above.append(value)
                } else {
                    break
                }
            }
        }
        above.sort()
        func valid(_ threshold: Double) -> Bool { statistic.supremum(threshold: threshold).value <= level }
        // Gallop: indices below `low` are valid, `high` is the first index known (or assumed) invalid.
        var low = -1
        var step = 1
        while low + step < above.count && valid(above[low + step]) {
            low += step
            step *= 2
        }
        var high = min(low + step, above.count)
        if high == above.count && low == above.count - 1 && ceiling < 1 {
            // Every statistic up to 16 × level is valid (never seen in practice): search them all.
            let all = statistic.cumulative.flatMap { $0 }.filter { $0 > ceiling }.sorted()
            above += all
            high = above.count
        }
        while high - low > 1 {
            let middle = (low + high) / 2
            if valid(above[middle]) { low = middle } else { high = middle }
        }
        let threshold = low >= 0 ? max(above[low], known) : known
        let width = trials2 + 1
        var mask = [Bool](repeating: false, count: (trials1 + 1) * width)
        guard threshold.isFinite else { return mask }
        let limit = threshold * (1 + BoschlooStatistic.tieTolerance)
        for x1 in 0...trials1 {
            for x2 in 0...trials2 where statistic.statistic(x1, x2) <= limit { mask[x1 * width + x2] = true }
        }
        return mask
    }

    /// Whether the table (x1, x2) is rejected.
    /// - Parameters:
    ///   - successes1: x1.
    ///   - successes2: x2.
    /// - Returns: true when its p-value is ≤ alpha.
    public func rejects(successes1: Int, successes2: Int) -> Bool {
        rejected[successes1 * (trials2 + 1) + successes2]
    }

    /// The number of rejected tables.
    public var rejectedCount: Int { rejected.lazy.filter { $0 }.count }

    /// The probability of rejecting when the true rates are p1 and p2 (the power, or the size when p1 = p2).
    ///
    /// Agrees with a brute-force sum over `scipy.stats.fisher_exact` p-values to 1e-12 (Fisher).
    /// - Parameters:
    ///   - rate1: the true rate of sample 1.
    ///   - rate2: the true rate of sample 2.
    /// - Returns: P(reject).
    public func power(rate1: Double, rate2: Double) -> Double {
        let b1 = BinomialDistribution.probabilities(trials: trials1, rate: rate1)
        let b2 = BinomialDistribution.probabilities(trials: trials2, rate: rate2)
        let width = trials2 + 1
        var total = 0.0
        for x1 in 0...trials1 where b1[x1] > 0 {
            var row = 0.0
            for x2 in 0...trials2 where rejected[x1 * width + x2] { row += b2[x2] }
            total += b1[x1] * row
        }
        return min(total, 1)
    }
}
