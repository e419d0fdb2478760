extension AnalysisResult {
    /// One arm's counts and conversion rate.
    public struct Arm: Sendable, Hashable, Codable {
        /// The arm's name.
        public var name: String
        /// Deals enrolled.
        public var enrolled: Int
        /// Resolved deals.
        public var deals: Int
        /// Resolved deals that converted.
        public var conversions: Int
        /// conversions / deals (NaN, encoded null, with no deals).
        public var rate: Double
        /// Wilson score interval for the rate at level 1 − alpha.
        public var rateCI: Interval

        enum CodingKeys: String, CodingKey {
            case name, enrolled, deals, conversions, rate
            case rateCI = "rate_ci"
        }

        /// An arm summary from its parts.
        public init(name: String, enrolled: Int, deals: Int, conversions: Int, rate: Double, rateCI: Interval) {
            self.name = name
            self.enrolled = enrolled
            self.deals = deals
            self.conversions = conversions
            self.rate = rate
            self.rateCI = rateCI
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            enrolled = try container.decode(Int.self, forKey: .enrolled)
            deals = try container.decode(Int.self, forKey: .deals)
            conversions = try container.decode(Int.self, forKey: .conversions)
            rate = try container.decodeFiniteOrNaN(forKey: .rate)
            rateCI = try container.decode(Interval.self, forKey: .rateCI)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(enrolled, forKey: .enrolled)
            try container.encode(deals, forKey: .deals)
            try container.encode(conversions, forKey: .conversions)
            try container.encodeFiniteOrNull(rate, forKey: .rate)
            try container.encode(rateCI, forKey: .rateCI)
        }
    }
}
