/// A Beta(alpha, beta) prior for a conversion rate.
public struct BetaPrior: Sendable, Hashable, Codable {
    /// The prior's first shape: prior successes, loosely.
    public var alpha: Double
    /// The prior's second shape: prior failures, loosely.
    public var beta: Double

    /// A prior from its two shapes, both positive.
    /// - Parameters:
    ///   - alpha: the first shape.
    ///   - beta: the second shape.
    public init(alpha: Double, beta: Double) {
        self.alpha = alpha
        self.beta = beta
    }

    /// The uniform prior Beta(1, 1): every rate equally likely before any deal.
    public static let uniform = BetaPrior(alpha: 1, beta: 1)

    /// The posterior shapes after `successes` out of `trials`.
    /// - Parameters:
    ///   - successes: observed successes.
    ///   - trials: observed trials.
    /// - Returns: Beta(alpha + successes, beta + trials − successes).
    public func posterior(successes: Int, trials: Int) -> BetaPrior {
        BetaPrior(alpha: alpha + Double(successes), beta: beta + Double(trials - successes))
    }
}
