/// Two-sided group-sequential boundaries: stop at look k when |Z_k| ≥ `critical[k]`.
public struct SequentialBoundaries: Sendable, Hashable, Codable {
    /// The spending function used.
    public let spending: AlphaSpendingFunction
    /// The total two-sided alpha.
    public let alpha: Double
    /// The information fraction of each look, increasing, in (0, 1].
    public let informationFractions: [Double]
    /// The critical |z| at each look (+∞ when the look may spend no alpha).
    public let critical: [Double]
    /// The two-sided nominal p-value threshold at each look, 2·(1 − Φ(critical)).
    public let nominalAlpha: [Double]
    /// The cumulative alpha spent by each look, α(t_k).
    public let cumulativeAlpha: [Double]

    enum CodingKeys: String, CodingKey {
        case spending, alpha
        case informationFractions = "information_fractions"
        case critical = "z"
        case nominalAlpha = "nominal_alpha"
        case cumulativeAlpha = "cumulative_alpha"
    }

    /// Whether an observed z at look `index` (0-based) crosses the boundary.
    /// - Parameters:
    ///   - z: the observed z statistic.
    ///   - index: the look.
    /// - Returns: |z| ≥ critical[index].
    public func crosses(z: Double, atLook index: Int) -> Bool { abs(z) >= critical[index] }
}
