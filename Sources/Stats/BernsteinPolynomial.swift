#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// B(π) = Σₛ wₛ · C(N, s) πˢ (1 − π)ᴺ⁻ˢ, a polynomial in Bernstein form with coefficients in [0, 1].
///
/// This is the shape of every unconditional exact p-value: grouping the tables of a rejection
/// region by their total number of successes s, the probability of the region when both samples
/// share the rate π is Σₛ P(region | s) · Binomial(s; N, π). Evaluating it costs O(N), however many
/// tables the region holds.
struct BernsteinPolynomial: Sendable {
    /// wₛ for s = 0…N.
    let coefficients: [Double]
    /// ln C(N, s) for s = 0…N.
    private let logChoose: [Double]
    /// (N − s)/(s + 1): the ratio C(N, s + 1) / C(N, s).
    private let upwardRatios: [Double]

    var degree: Int { coefficients.count - 1 }

    init(coefficients: [Double]) {
        self.coefficients = coefficients
        let n = coefficients.count - 1
        logChoose = (0...n).map { SpecialFunctions.logBinomialCoefficient(n, $0) }
        upwardRatios = (0...n).map { Double(n - $0) / Double($0 + 1) }
    }

    /// A polynomial of the same degree as `other` with new coefficients, reusing its binomial tables.
    init(coefficients: [Double], sameDegreeAs other: BernsteinPolynomial) {
        precondition(coefficients.count == other.coefficients.count, "same degree")
        self.coefficients = coefficients
        logChoose = other.logChoose
        upwardRatios = other.upwardRatios
    }

    /// B(π), by recurrences outward from the binomial mode (one exp per call).
    func value(at pi: Double) -> Double {
        let n = degree
        if pi <= 0 { return coefficients[0] }
        if pi >= 1 { return coefficients[n] }
        let mode = min(Int(Double(n + 1) * pi), n)
        let modeTerm = exp(logChoose[mode] + Double(mode) * log(pi) + Double(n - mode) * log1p(-pi))
        let odds = pi / (1 - pi)
        var total = coefficients[mode] * modeTerm
        var term = modeTerm
        var s = mode
        // Past the mode the terms fall geometrically; once the ratio is below 0.9 the rest sums to under
        // ten times the current term, so stop when that is below 1e-18 of the total.
        while s < n && term > 0 {
            let ratio = upwardRatios[s] * odds
            term *= ratio
            s += 1
            total += coefficients[s] * term
            if ratio < 0.9 && term < 1e-18 * total { break }
        }
        term = modeTerm
        s = mode
        while s > 0 && term > 0 {
            let ratio = 1 / (upwardRatios[s - 1] * odds)
            term *= ratio
            s -= 1
            total += coefficients[s] * term
            if ratio < 0.9 && term < 1e-18 * total { break }
        }
        return total
    }

    /// B(π) with every binomial term from its own logarithm: slower, used for the final value.
    func preciseValue(at pi: Double) -> Double {
        let n = degree
        if pi <= 0 { return coefficients[0] }
        if pi >= 1 { return coefficients[n] }
        let logPi = log(pi)
        let logRest = log1p(-pi)
        // Neumaier's compensated sum: the final p-value carries no summation error.
        var total = 0.0
        var compensation = 0.0
        for s in 0...n where coefficients[s] > 0 {
            let term = coefficients[s] * exp(logChoose[s] + Double(s) * logPi + Double(n - s) * logRest)
            let next = total + term
            compensation += abs(total) >= abs(term) ? (total - next) + term : (term - next) + total
            total = next
        }
        return total + compensation
    }

    /// The supremum of B over π ∈ [0, 1] and where it is reached.
    ///
    /// The grid is uniform in θ with π = sin²θ, the variance-stabilising scale on which every
    /// binomial term has the same width (≈ 1/(2√N)); with 20√N + 32 points each term spans several
    /// points, so every local maximum of B shows up on the grid. Each grid maximum within 10% of the
    /// best is then refined with Brent's method to 1e-13 in θ, which puts the value within ~1e-15
    /// relative of the true local maximum.
    func supremum() -> (value: Double, nuisance: Double) {
        supremum(unlessAtLeast: .infinity)!
    }

    /// The supremum, or nil as soon as the grid shows that it is at least `bound` (used when only a
    /// supremum smaller than `bound` matters).
    func supremum(unlessAtLeast bound: Double) -> (value: Double, nuisance: Double)? {
        let n = degree
        if coefficients.allSatisfy({ $0 == 0 }) { return 0 < bound ? (0, 0.5) : nil }
        let count = 32 + Int(20 * Double(max(n, 1)).squareRoot())
        let step = (Double.pi / 2) / Double(count)
        func valueAtAngle(_ theta: Double) -> Double {
            let s = sin(theta)
            return value(at: s * s)
        }
        var values = [Double](repeating: 0, count: count + 1)
        for index in 0...count { values[index] = valueAtAngle(Double(index) * step) }
        let gridBest = values.max() ?? 0
        if gridBest >= bound { return nil }
        var candidates: [Int] = []
        for index in 0...count {
            let left = index > 0 ? values[index - 1] : -Double.infinity
            let right = index < count ? values[index + 1] : -Double.infinity
            if values[index] >= left && values[index] >= right && values[index] >= 0.9 * gridBest {
                candidates.append(index)
            }
        }
        if candidates.count > 12 {
            candidates = Array(candidates.sorted { values[$0] > values[$1] }.prefix(12))
        }
        var best = (value: coefficients[0], nuisance: 0.0)
        if coefficients[n] > best.value { best = (coefficients[n], 1) }
        for index in candidates {
            let lower = Double(max(index - 1, 0)) * step
            let upper = Double(min(index + 1, count)) * step
            let found = ScalarMaximizer.maximize(lower: lower, upper: upper, tolerance: 1e-13, valueAtAngle)
            let s = sin(found.x)
            let pi = s * s
            let value = preciseValue(at: pi)
            if value > best.value { best = (value, pi) }
        }
        return best
    }
}
