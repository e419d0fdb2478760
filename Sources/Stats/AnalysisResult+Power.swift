extension AnalysisResult {
    /// What the deals can detect: normal approximation on Cohen's h, at alpha / (number of treatments)
    /// (the first step of Holm), baseline against the smallest treatment arm.
    public struct Power: Sendable, Hashable, Codable {
        /// The minimum detectable lift (absolute) with the current deals (or the planned deals while
        /// the test is running) at the plan's alpha and power; null when not even 100% is detectable.
        public var mde: Double
        /// The power at the plan's MDE (or at `mde` when the plan has none).
        public var powerAtMDE: Double
        /// The total deals, across all arms, that the plan's MDE needs; null without a planned MDE.
        public var dealsNeeded: Int?

        enum CodingKeys: String, CodingKey {
            case mde
            case powerAtMDE = "power_at_mde"
            case dealsNeeded = "deals_needed"
        }

        /// A power summary from its parts.
        public init(mde: Double, powerAtMDE: Double, dealsNeeded: Int?) {
            self.mde = mde
            self.powerAtMDE = powerAtMDE
            self.dealsNeeded = dealsNeeded
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            mde = try container.decodeFiniteOrNaN(forKey: .mde)
            powerAtMDE = try container.decodeFiniteOrNaN(forKey: .powerAtMDE)
            dealsNeeded = try container.decodeIfPresent(Int.self, forKey: .dealsNeeded)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeFiniteOrNull(mde, forKey: .mde)
            try container.encodeFiniteOrNull(powerAtMDE, forKey: .powerAtMDE)
            if let dealsNeeded {
                try container.encode(dealsNeeded, forKey: .dealsNeeded)
            } else {
                try container.encodeNil(forKey: .dealsNeeded)
            }
        }
    }
}
