/// What `journeylab plan` asks: either the MDE for a number of deals, or the deals for an MDE.
public struct PlanningRequest: Sendable, Hashable {
    /// The baseline conversion rate, in (0, 1).
    public var baselineRate: Double
    /// The total number of deals across all arms (give this or `mde`).
    public var deals: Int?
    /// The lift to detect, absolute (0.1 = 10 points) (give this or `deals`).
    public var mde: Double?
    /// Allocation weights, baseline first; at least two arms.
    public var weights: [Double]
    /// The two-sided level for the whole family (each treatment is tested at alpha / treatments).
    public var alpha: Double
    /// The power wanted.
    public var power: Double
    /// The number of equally spaced looks of a group-sequential design (nil: a single analysis).
    public var looks: Int?
    /// The spending function for `looks`.
    public var spending: AlphaSpendingFunction

    /// A planning request.
    /// - Parameters:
    ///   - baselineRate: the baseline rate.
    ///   - deals: the total deals available.
    ///   - mde: the lift to detect.
    ///   - weights: allocation weights, baseline first.
    ///   - alpha: the two-sided level.
    ///   - power: the power wanted.
    ///   - looks: sequential looks.
    ///   - spending: the spending function.
    public init(
        baselineRate: Double, deals: Int? = nil, mde: Double? = nil, weights: [Double] = [1, 1], alpha: Double = 0.05,
        power: Double = 0.8, looks: Int? = nil, spending: AlphaSpendingFunction = .obrienFleming
    ) {
        self.baselineRate = baselineRate
        self.deals = deals
        self.mde = mde
        self.weights = weights
        self.alpha = alpha
        self.power = power
        self.looks = looks
        self.spending = spending
    }
}
