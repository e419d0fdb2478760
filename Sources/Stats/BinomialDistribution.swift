#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The binomial distribution.
public enum BinomialDistribution {
    /// P(X = k) for k = 0…trials, X ~ Binomial(trials, rate).
    ///
    /// Agrees with `scipy.stats.binom.pmf` to 1e-13 relative.
    /// - Parameters:
    ///   - trials: the number of trials.
    ///   - rate: the success probability, in [0, 1].
    /// - Returns: trials + 1 probabilities.
    public static func probabilities(trials: Int, rate: Double) -> [Double] {
        if rate <= 0 { return (0...trials).map { $0 == 0 ? 1 : 0 } }
        if rate >= 1 { return (0...trials).map { $0 == trials ? 1 : 0 } }
        let logRate = log(rate)
        let logRest = log1p(-rate)
        return (0...trials).map { k in
            exp(
                SpecialFunctions.logBinomialCoefficient(trials, k) + Double(k) * logRate
                    + Double(trials - k) * logRest)
        }
    }
}
