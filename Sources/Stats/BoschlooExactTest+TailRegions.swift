extension BoschlooExactTest {
    /// The Bernstein coefficients of both one-sided rejection regions of one table, from a single pass
    /// over the slices s = y1 + y2 (no table is stored).
    ///
    /// "less": T_L(y1, y2) = P(Y₁ ≤ y1 | s), region {T_L ≤ T_L(obs)}; in slice s the coefficient is the
    /// largest T_L still in the region. "greater": T_G(y1, y2) = P(Y₁ ≥ y1 | s) (scipy's hypergeometric cdf of
    /// the second sample), likewise. Ties within `BoschlooStatistic.tieTolerance` count as in the region.
    struct TailRegions {
        let lessStatistic: Double
        let greaterStatistic: Double
        let lessCoefficients: [Double]
        let greaterCoefficients: [Double]

        init(successes1 x1: Int, trials1 n1: Int, successes2 x2: Int, trials2 n2: Int) {
            let total = n1 + n2
            var buffer = [Double](repeating: 0, count: n1 + 1)
            var lower = [Double](repeating: 0, count: n1 + 1)
            var upper = [Double](repeating: 0, count: n1 + 1)
            // Fills lower[i] = P(Y₁ ≤ lo + i | s) and upper[i] = P(Y₁ ≥ lo + i | s); returns (lo, hi).
            func slice(_ s: Int) -> (Int, Int) {
                let lo = max(0, s - n2)
                let hi = min(s, n1)
                let nn1 = Double(n1)
                let nn2 = Double(n2)
                let ss = Double(s)
                let mode = min(max(Int((ss + 1) * (nn1 + 1) / Double(total + 2)), lo), hi)
                buffer[mode - lo] = 1
                var y = mode
                while y < hi {
                    let yy = Double(y)
                    buffer[y + 1 - lo] = buffer[y - lo] * ((nn1 - yy) * (ss - yy)) / ((yy + 1) * (nn2 - ss + yy + 1))
                    y += 1
                }
                y = mode
                while y > lo {
                    let yy = Double(y)
                    buffer[y - 1 - lo] = buffer[y - lo] * (yy * (nn2 - ss + yy)) / ((nn1 - yy + 1) * (ss - yy + 1))
                    y -= 1
                }
                let count = hi - lo + 1
                var sum = 0.0
                for index in 0..<count { sum += buffer[index] }
                var running = 0.0
                for index in 0..<count {
                    running += buffer[index]
                    lower[index] = min(running / sum, 1)
                }
                running = 0
                for index in stride(from: count - 1, through: 0, by: -1) {
                    running += buffer[index]
                    upper[index] = min(running / sum, 1)
                }
                return (lo, hi)
            }
            let (observedLow, _) = slice(x1 + x2)
            lessStatistic = lower[x1 - observedLow]
            greaterStatistic = upper[x1 - observedLow]
            let lessLimit = lessStatistic * (1 + BoschlooStatistic.tieTolerance)
            let greaterLimit = greaterStatistic * (1 + BoschlooStatistic.tieTolerance)
            var less = [Double](repeating: 0, count: total + 1)
            var greater = [Double](repeating: 0, count: total + 1)
            for s in 0...total {
                let (lo, hi) = slice(s)
                let count = hi - lo + 1
                // lower increases with y1: the last value within the limit.
                var index = 0
                while index < count && lower[index] <= lessLimit { index += 1 }
                less[s] = index == 0 ? 0 : lower[index - 1]
                // upper decreases with y1: the first value within the limit.
                index = count - 1
                while index >= 0 && upper[index] <= greaterLimit { index -= 1 }
                greater[s] = index == count - 1 ? 0 : upper[index + 1]
            }
            lessCoefficients = less
            greaterCoefficients = greater
        }
    }
}
