/// The answer to a `PlanningRequest`: the normal approximation and both exact tests side by side.
public struct PlanningResult: Sendable, Hashable, Codable {
    /// One method's answer.
    public struct Method: Sendable, Hashable, Codable {
        /// The lift (absolute): the one asked for, or the minimum detectable one for the deals given;
        /// null when not even a rate of 100% is detectable, or (exact methods) beyond `ExactPower.searchLimit` deals.
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

        public init(mde: Double? = nil, deals: Int? = nil, dealsPerArm: [Int]? = nil, power: Double? = nil) {
            self.mde = mde
            self.deals = deals
            self.dealsPerArm = dealsPerArm
            self.power = power
        }

        /// Every key, `null` when there is no answer (as the doc comments say), never left out.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeOrNull(mde, forKey: .mde)
            try container.encodeOrNull(deals, forKey: .deals)
            try container.encodeOrNull(dealsPerArm, forKey: .dealsPerArm)
            try container.encodeOrNull(power, forKey: .power)
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

    /// Every key, `sequential` as `null` without looks.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(baseline, forKey: .baseline)
        try container.encode(alpha, forKey: .alpha)
        try container.encode(comparisonAlpha, forKey: .comparisonAlpha)
        try container.encode(power, forKey: .power)
        try container.encode(weights, forKey: .weights)
        try container.encode(solvedFor, forKey: .solvedFor)
        try container.encode(normal, forKey: .normal)
        try container.encode(boschloo, forKey: .boschloo)
        try container.encode(fisher, forKey: .fisher)
        try container.encodeOrNull(sequential, forKey: .sequential)
    }
}
