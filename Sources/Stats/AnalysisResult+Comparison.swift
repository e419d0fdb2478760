extension AnalysisResult {
    /// One treatment against the baseline.
    public struct Comparison: Sendable, Hashable, Codable {
        /// The treatment's name.
        public var arm: String
        /// The baseline's name.
        public var baseline: String
        /// rate(arm) − rate(baseline), in proportion (0.05 = 5 points).
        public var diff: Double
        /// Newcombe's hybrid score interval for `diff`.
        public var diffCI: Interval
        /// rate(arm) / rate(baseline) − 1 (null when the baseline rate is 0).
        public var relativeLift: Double
        /// Katz's log interval for the risk ratio, minus 1 (0.5-adjusted when a count is 0).
        public var relativeLiftCI: Interval
        /// Boschloo's exact test, two-sided: the primary p-value.
        public var pValue: Double
        /// Fisher's exact test, two-sided.
        public var pFisher: Double
        /// The pooled two-proportion z-test, two-sided.
        public var pZTest: Double
        /// `pValue` Holm-adjusted across this analysis's comparisons.
        public var pAdjusted: Double
        /// P(rate(arm) > rate(baseline)) under Beta posteriors.
        public var probBeatBaseline: Double
        /// E[max(rate(baseline) − rate(arm), 0)]: what choosing the arm is expected to cost if it is worse.
        public var expectedLoss: Double

        enum CodingKeys: String, CodingKey {
            case arm, baseline, diff
            case diffCI = "diff_ci"
            case relativeLift = "relative_lift"
            case relativeLiftCI = "relative_lift_ci"
            case pValue = "p_value"
            case pFisher = "p_fisher"
            case pZTest = "p_ztest"
            case pAdjusted = "p_adjusted"
            case probBeatBaseline = "prob_beat_baseline"
            case expectedLoss = "expected_loss"
        }

        /// A comparison from its parts.
        public init(
            arm: String, baseline: String, diff: Double, diffCI: Interval, relativeLift: Double,
            relativeLiftCI: Interval, pValue: Double, pFisher: Double, pZTest: Double, pAdjusted: Double,
            probBeatBaseline: Double, expectedLoss: Double
        ) {
            self.arm = arm
            self.baseline = baseline
            self.diff = diff
            self.diffCI = diffCI
            self.relativeLift = relativeLift
            self.relativeLiftCI = relativeLiftCI
            self.pValue = pValue
            self.pFisher = pFisher
            self.pZTest = pZTest
            self.pAdjusted = pAdjusted
            self.probBeatBaseline = probBeatBaseline
            self.expectedLoss = expectedLoss
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            arm = try container.decode(String.self, forKey: .arm)
            baseline = try container.decode(String.self, forKey: .baseline)
            diff = try container.decodeFiniteOrNaN(forKey: .diff)
            diffCI = try container.decode(Interval.self, forKey: .diffCI)
            relativeLift = try container.decodeFiniteOrNaN(forKey: .relativeLift)
            relativeLiftCI = try container.decode(Interval.self, forKey: .relativeLiftCI)
            pValue = try container.decodeFiniteOrNaN(forKey: .pValue)
            pFisher = try container.decodeFiniteOrNaN(forKey: .pFisher)
            pZTest = try container.decodeFiniteOrNaN(forKey: .pZTest)
            pAdjusted = try container.decodeFiniteOrNaN(forKey: .pAdjusted)
            probBeatBaseline = try container.decodeFiniteOrNaN(forKey: .probBeatBaseline)
            expectedLoss = try container.decodeFiniteOrNaN(forKey: .expectedLoss)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(arm, forKey: .arm)
            try container.encode(baseline, forKey: .baseline)
            try container.encodeFiniteOrNull(diff, forKey: .diff)
            try container.encode(diffCI, forKey: .diffCI)
            try container.encodeFiniteOrNull(relativeLift, forKey: .relativeLift)
            try container.encode(relativeLiftCI, forKey: .relativeLiftCI)
            try container.encodeFiniteOrNull(pValue, forKey: .pValue)
            try container.encodeFiniteOrNull(pFisher, forKey: .pFisher)
            try container.encodeFiniteOrNull(pZTest, forKey: .pZTest)
            try container.encodeFiniteOrNull(pAdjusted, forKey: .pAdjusted)
            try container.encodeFiniteOrNull(probBeatBaseline, forKey: .probBeatBaseline)
            try container.encodeFiniteOrNull(expectedLoss, forKey: .expectedLoss)
        }
    }
}
