/// What an analysis is judged against: the pre-registered plan of a hypothesis (or the defaults for `analyze`).
public struct AnalysisPlan: Sendable, Hashable {
    /// The two-sided significance level, in (0, 1); intervals have level 1 − alpha.
    public var alpha: Double
    /// The power wanted at the MDE, in (0, 1).
    public var power: Double
    /// The smallest lift worth acting on, as an absolute difference in proportion (0.15 = 15 points).
    public var mde: Double?
    /// The planned allocation weights, one per arm (nil: equal).
    public var weights: [Double]?
    /// The planned total number of resolved deals.
    public var targetDeals: Int?
    /// Whether the planned deals have been reached (always true for `analyze`).
    public var isComplete: Bool
    /// Whether a group-sequential boundary was crossed at this look (lets an incomplete test be decided).
    public var boundaryCrossed: Bool
    /// The baseline rate assumed when planning (nil: use the observed baseline rate).
    public var baselineRate: Double?
    /// The prior for every arm's rate in the Bayesian figures.
    public var prior: BetaPrior
    /// The metric's name, reported as `metric` when given.
    public var metric: String?

    /// A plan; every argument has the default `analyze` uses.
    /// - Parameters:
    ///   - alpha: the two-sided level.
    ///   - power: the power wanted at the MDE.
    ///   - mde: the smallest lift worth acting on (absolute).
    ///   - weights: the planned allocation.
    ///   - targetDeals: the planned total of resolved deals.
    ///   - isComplete: whether the planned deals are reached.
    ///   - boundaryCrossed: whether a sequential boundary was crossed.
    ///   - baselineRate: the planning baseline rate.
    ///   - prior: the Beta prior.
    ///   - metric: the metric's name.
    public init(
        alpha: Double = 0.05, power: Double = 0.8, mde: Double? = nil, weights: [Double]? = nil, targetDeals: Int? = nil,
        isComplete: Bool = true, boundaryCrossed: Bool = false, baselineRate: Double? = nil,
        prior: BetaPrior = .uniform, metric: String? = nil
    ) {
        self.alpha = alpha
        self.power = power
        self.mde = mde
        self.weights = weights
        self.targetDeals = targetDeals
        self.isComplete = isComplete
        self.boundaryCrossed = boundaryCrossed
        self.baselineRate = baselineRate
        self.prior = prior
        self.metric = metric
    }
}
