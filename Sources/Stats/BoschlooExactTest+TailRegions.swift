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
            // Fills lower[i] = P(Y₁ ≤ low + i | s) and upper[i] = P(Y₁ ≥ low + i | s) over the window low…high
            // of y1 whose probability is above `cut` times the mode's, and returns the window. Outside it the
            // tails are below ~cut · (window size): 0 or 1 for the purpose of the region.
            func slice(_ s: Int, cut: Double) -> (low: Int, high: Int) {
                let lo = max(0, s - n2)
                let hi = min(s, n1)
                let nn1 = Double(n1)
                let nn2 = Double(n2)
                let ss = Double(s)
                let mode = min(max(Int((ss + 1) * (nn1 + 1) / Double(total + 2)), lo), hi)
                buffer[mode - lo] = 1
                var high = mode
                while high < hi {
                    let yy = Double(high)
                    let next = buffer[high - lo] * ((nn1 - yy) * (ss - yy)) / ((yy + 1) * (nn2 - ss + yy + 1))
                    if next < cut { break }
                    buffer[high + 1 - lo] = next
                    high += 1
                }
                var low = mode
                while low > lo {
                    let yy = Double(low)
                    let next = buffer[low - lo] * (yy * (nn2 - ss + yy)) / ((nn1 - yy + 1) * (ss - yy + 1))
                    if next < cut { break }
                    buffer[low - 1 - lo] = next
                    low -= 1
                }
                let first = low - lo
                let count = high - low + 1
                var sum = 0.0
                for index in 0..<count { sum += buffer[first + index] }
                var running = 0.0
                for index in 0..<count {
                    running += buffer[first + index]
                    lower[index] = min(running / sum, 1)
                }
                running = 0
                for index in stride(from: count - 1, through: 0, by: -1) {
                    running += buffer[first + index]
                    upper[index] = min(running / sum, 1)
                }
                return (low, high)
            }
            let observed = slice(x1 + x2, cut: 1e-305)
            if x1 < observed.low {
                (lessStatistic, greaterStatistic) = (0, 1)
            } else if x1 > observed.high {
                (lessStatistic, greaterStatistic) = (1, 0)
            } else {
                lessStatistic = lower[x1 - observed.low]
                greaterStatistic = upper[x1 - observed.low]
            }
            let lessLimit = lessStatistic * (1 + BoschlooStatistic.tieTolerance)
            let greaterLimit = greaterStatistic * (1 + BoschlooStatistic.tieTolerance)
            // Terms below 1e-14 of the smaller limit cannot move any coefficient by more than ~1e-12 relative.
            let cut = max(1e-305, 1e-14 * min(lessLimit, greaterLimit))
            var less = [Double](repeating: 0, count: total + 1)
            var greater = [Double](repeating: 0, count: total + 1)
            for s in 0...total {
                let window = slice(s, cut: cut)
                let count = window.high - window.low + 1
                // lower increases with y1: the last value within the limit (1 beyond the window).
                var index = 0
                while index < count && lower[index] <= lessLimit { index += 1 }
                less[s] = index == count && lessLimit >= 1 ? 1 : (index == 0 ? 0 : lower[index - 1])
                // upper decreases with y1: the first value within the limit (1 before the window).
                index = count - 1
                while index >= 0 && upper[index] <= greaterLimit { index -= 1 }
                greater[s] = index < 0 && greaterLimit >= 1 ? 1 : (index == count - 1 ? 0 : upper[index + 1])
            }
            lessCoefficients = less
            greaterCoefficients = greater
        }
    }
}
