/// Boschloo's test statistic for every table with n1 and n2 trials: the one-sided ("less") Fisher
/// p-value T(y1, y2) = P(Y₁ ≤ y1 | y1 + y2 successes), held slice by slice (s = y1 + y2).
///
/// Within a slice T grows with y1, so every rejection region {T ≤ t} is, in slice s, the tables
/// with y1 up to some kₛ, and its probability under a common rate π is the Bernstein polynomial
/// Σₛ T(kₛ, s − kₛ) · Binomial(s; N, π). That is what makes the supremum cheap.
struct BoschlooStatistic: Sendable {
    /// Ties between statistics of different tables are exact rational equalities (with n1 = n2 there
    /// are many); this relative tolerance treats values that agree to ~1e-10 as equal, well above
    /// the ~1e-14 rounding of the recurrences and far below any real gap between distinct values.
    static let tieTolerance = 1e-10

    let trials1: Int
    let trials2: Int
    /// cumulative[s][i] = T(lowest(s) + i, s − lowest(s) − i).
    let cumulative: [[Double]]
    /// lowest[s] = the smallest y1 possible in slice s.
    let lowest: [Int]
    /// A polynomial of degree n1 + n2 whose binomial tables every region's polynomial reuses.
    private let basis: BernsteinPolynomial

    init(trials1: Int, trials2: Int) {
        self.trials1 = trials1
        self.trials2 = trials2
        var cumulative: [[Double]] = []
        var lowest: [Int] = []
        cumulative.reserveCapacity(trials1 + trials2 + 1)
        for s in 0...(trials1 + trials2) {
            let slice = HypergeometricSlice(trials1: trials1, trials2: trials2, total: s)
            cumulative.append(slice.cumulative())
            lowest.append(slice.lowest)
        }
        self.cumulative = cumulative
        self.lowest = lowest
        basis = BernsteinPolynomial(coefficients: [Double](repeating: 0, count: trials1 + trials2 + 1))
    }

    /// T at the table (y1, y2).
    func statistic(_ y1: Int, _ y2: Int) -> Double {
        cumulative[y1 + y2][y1 - lowest[y1 + y2]]
    }

    /// The Bernstein coefficients of the region {T ≤ threshold · (1 + tie tolerance)}: in each slice, the largest T
    /// that is still in the region (0 when none is).
    func regionCoefficients(threshold: Double) -> [Double] {
        let limit = threshold * (1 + Self.tieTolerance)
        return cumulative.map { slice in
            // T increases along the slice: binary search for the last value within the limit.
            var low = 0
            var high = slice.count
            while low < high {
                let middle = (low + high) / 2
                if slice[middle] <= limit { low = middle + 1 } else { high = middle }
            }
            return low == 0 ? 0 : slice[low - 1]
        }
    }

    /// The one-sided ("less") Boschloo p-value of a region threshold: sup over π of P_π(T ≤ threshold).
    func supremum(threshold: Double) -> (value: Double, nuisance: Double) {
        BernsteinPolynomial(coefficients: regionCoefficients(threshold: threshold), sameDegreeAs: basis).supremum()
    }
}
