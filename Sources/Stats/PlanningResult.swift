/// The answer to a `PlanningRequest`: the normal approximation and both exact tests side by side.
public struct PlanningResult: Sendable, Hashable, Codable {
    /// One method's answer.
    public struct Method: Sendable, Hashable, Codable {
        /// The lift (absolute): the one asked for, or the minimum detectable one for the deals given;
        /// null when not even a rate of 100% is detectable.
        public var mde: Double?
        /// Total deals: the ones given, or the ones needed; null when the exact search gave up.
        public var deals: Int?
        /// Deals per arm, in the weights' order.
        public var dealsPerArm: [Int]?
        /// The power at that lift with those deals.
        public var power: Double?

        enum CodingKeys: String, CodingKey {
            case mde, deals, power
            case dealsPerArm = "deals_per_arm"
        }
    }

    /// The sequential design, when looks were asked for.
    public struct Sequential: Sendable, Hashable, Codable {
        /// The boundaries.
        public var boundaries: SequentialBoundaries
        /// Resolved deals at each look, for the exact (Boschloo) total.
        public var dealsAtLook: [Int]

        enum CodingKeys: String, CodingKey {
            case boundaries
            case dealsAtLook = "deals_at_look"
        }
    }

    /// The baseline rate.
    public var baseline: Double
    /// The family's two-sided alpha.
    public var alpha: Double
    /// The level of each treatment-versus-baseline test: alpha / number of treatments.
    public var comparisonAlpha: Double
    /// The power wanted.
    public var power: Double
    /// The allocation weights.
    public var weights: [Double]
    /// Whether the request gave the deals (and asks for the MDE) rather than the MDE.
    public var solvedFor: String
    /// Normal approximation on Cohen's h (statsmodels NormalIndPower).
    public var normal: Method
    /// Boschloo's exact test (the analysis' primary test).
    public var boschloo: Method
    /// Fisher's exact test.
    public var fisher: Method
    /// The group-sequential boundaries, if requested.
    public var sequential: Sequential?

    enum CodingKeys: String, CodingKey {
        case baseline, alpha, power, weights, normal, boschloo, fisher, sequential
        case comparisonAlpha = "comparison_alpha"
        case solvedFor = "solved_for"
    }
}
