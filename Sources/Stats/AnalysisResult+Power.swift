extension AnalysisResult {
    /// What the deals can detect: normal approximation on Cohen's h, at alpha / (number of treatments)
    /// (the first step of Holm), baseline against the smallest treatment arm — except the MDE where that
    /// approximation is unreliable (see `mdeMethod`).
    public struct Power: Sendable, Hashable, Codable {
        /// How `mde` was computed.
        public enum Method: String, Sendable, Hashable, Codable {
            /// Cohen's h (statsmodels `NormalIndPower`).
            case normalApproximation = "normal_approximation"
            /// Boschloo's exact test, by enumerating its rejection region (`ExactPower`): used when the
            /// baseline or the lifted rate expects fewer than 5 conversions or non-conversions in an arm,
            /// where the normal approximation can understate the MDE by half (0 of 50: 7.6 points
            /// against the exact 13.1).
            case boschlooExact = "boschloo_exact"

            /// How the reports name the method, in parentheses after the figure.
            public var note: String {
                switch self {
                case .normalApproximation: "normal approximation"
                case .boschlooExact: "Boschloo exact: too few expected conversions for the normal approximation"
                }
            }
        }

        /// The minimum detectable lift (absolute) with the current deals (or the planned deals while
        /// the test is running) at the plan's alpha and power; null when not even 100% is detectable.
        public var mde: Double
        /// How `mde` and `power_at_mde` were computed (one method for both).
        public var mdeMethod: Method = .normalApproximation

        /// The note renderers put after an exact MDE; nil for the normal approximation's, which they
        /// leave unmarked or name with the power sentence's other figures.
        public var exactMDENote: String? { mdeMethod == .boschlooExact ? mdeMethod.note : nil }
        /// The power at the plan's MDE (or at `mde` when the plan has none).
        public var powerAtMDE: Double
        /// The total deals, across all arms, that the plan's MDE needs; null without a planned MDE.
        public var dealsNeeded: Int?
        /// How `dealsNeeded` was computed: as `mdeMethod`, except that the exact search stops at 300 deals,
        /// beyond which the normal approximation answers (an exact region costs the square of the deals).
        public var dealsNeededMethod: Method = .normalApproximation

        enum CodingKeys: String, CodingKey {
            case mde
            case mdeMethod = "mde_method"
            case powerAtMDE = "power_at_mde"
            case dealsNeeded = "deals_needed"
            case dealsNeededMethod = "deals_needed_method"
        }

        /// A power summary from its parts.
        public init(
            mde: Double, mdeMethod: Method = .normalApproximation, powerAtMDE: Double, dealsNeeded: Int?,
            dealsNeededMethod: Method = .normalApproximation
        ) {
            self.mde = mde
            self.mdeMethod = mdeMethod
            self.powerAtMDE = powerAtMDE
            self.dealsNeeded = dealsNeeded
            self.dealsNeededMethod = dealsNeededMethod
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            mde = try container.decodeFiniteOrNaN(forKey: .mde)
            mdeMethod = try container.decodeIfPresent(Method.self, forKey: .mdeMethod) ?? .normalApproximation
            powerAtMDE = try container.decodeFiniteOrNaN(forKey: .powerAtMDE)
            dealsNeeded = try container.decodeIfPresent(Int.self, forKey: .dealsNeeded)
            dealsNeededMethod = try container.decodeIfPresent(Method.self, forKey: .dealsNeededMethod) ?? .normalApproximation
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeFiniteOrNull(mde, forKey: .mde)
            try container.encode(mdeMethod, forKey: .mdeMethod)
            try container.encodeFiniteOrNull(powerAtMDE, forKey: .powerAtMDE)
            try container.encodeOrNull(dealsNeeded, forKey: .dealsNeeded)
            try container.encode(dealsNeededMethod, forKey: .dealsNeededMethod)
        }
    }
}
