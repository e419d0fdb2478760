/// The conditional distribution of the first sample's successes in a 2×2 table given all margins:
/// Y₁ ~ Hypergeometric when `total` successes fall among `trials1 + trials2` trials.
///
/// Probabilities come from ratio recurrences from the mode, normalised by their sum, so they stay
/// accurate to a few ulps without any log-gamma.
struct HypergeometricSlice: Sendable {
    /// The smallest possible Y₁.
    let lowest: Int
    /// The largest possible Y₁.
    let highest: Int
    /// P(Y₁ = lowest + i).
    let probabilities: [Double]

    init(trials1: Int, trials2: Int, total: Int) {
        lowest = max(0, total - trials2)
        highest = min(total, trials1)
        let count = highest - lowest + 1
        var values = [Double](repeating: 0, count: count)
        let n1 = Double(trials1)
        let n2 = Double(trials2)
        let s = Double(total)
        let nAll = Double(trials1 + trials2)
        let mode = min(max(Int((s + 1) * (n1 + 1) / (nAll + 2)), lowest), highest)
        values[mode - lowest] = 1
        // P(y + 1) / P(y) = (n1 − y)(s − y) / ((y + 1)(n2 − s + y + 1)).
        var y = mode
        while y < highest {
            let yy = Double(y)
            values[y + 1 - lowest] = values[y - lowest] * ((n1 - yy) * (s - yy)) / ((yy + 1) * (n2 - s + yy + 1))
            y += 1
        }
        y = mode
        while y > lowest {
            let yy = Double(y)
            values[y - 1 - lowest] = values[y - lowest] * (yy * (n2 - s + yy)) / ((n1 - yy + 1) * (s - yy + 1))
            y -= 1
        }
        var sum = 0.0
        for value in values { sum += value }
        probabilities = values.map { $0 / sum }
    }

    /// P(Y₁ = y); 0 outside the support.
    func probability(_ y: Int) -> Double {
        y < lowest || y > highest ? 0 : probabilities[y - lowest]
    }

    /// P(Y₁ ≤ y) for every y in the support, summed from the left.
    func cumulative() -> [Double] {
        var result = [Double](repeating: 0, count: probabilities.count)
        var sum = 0.0
        for index in probabilities.indices {
            sum += probabilities[index]
            result[index] = min(sum, 1)
        }
        return result
    }

    /// P(Y₁ ≤ y), summed over the shorter side so small tails keep their relative accuracy.
    func lowerTail(_ y: Int) -> Double {
        if y < lowest { return 0 }
        if y >= highest { return 1 }
        let cut = y - lowest
        if cut < probabilities.count / 2 {
            var sum = 0.0
            for index in 0...cut { sum += probabilities[index] }
            return sum
        }
        var upper = 0.0
        for index in (cut + 1)..<probabilities.count { upper += probabilities[index] }
        return 1 - upper
    }

    /// The two-sided p-value of every y: the total probability of the outcomes no more likely than y,
    /// where "no more likely" allows Fisher's relative tie tolerance (scipy's 1e-14).
    func twoSidedPValues(relativeTolerance: Double = FisherExactTest.tieTolerance) -> [Double] {
        let order = probabilities.indices.sorted { probabilities[$0] < probabilities[$1] }
        let sortedValues = order.map { probabilities[$0] }
        var prefix = [Double](repeating: 0, count: sortedValues.count)
        var sum = 0.0
        for index in sortedValues.indices {
            sum += sortedValues[index]
            prefix[index] = sum
        }
        return probabilities.map { value in
            let limit = value * (1 + relativeTolerance)
            // Last index whose probability is within the tie tolerance of this one.
            var low = 0
            var high = sortedValues.count
            while low < high {
                let middle = (low + high) / 2
                if sortedValues[middle] <= limit { low = middle + 1 } else { high = middle }
            }
            return low == 0 ? 0 : min(prefix[low - 1], 1)
        }
    }
}
