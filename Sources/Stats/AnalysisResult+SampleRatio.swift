extension AnalysisResult {
    /// The sample-ratio-mismatch check of enrolled deals against the planned weights.
    public struct SampleRatio: Sendable, Hashable, Codable {
        /// The chi-square goodness-of-fit p-value (null when nothing is enrolled).
        public var pValue: Double
        /// Whether p < 0.001: the assignment is suspect.
        public var flag: Bool

        enum CodingKeys: String, CodingKey {
            case pValue = "p_value"
            case flag
        }

        /// A check result from its parts.
        public init(pValue: Double, flag: Bool) {
            self.pValue = pValue
            self.flag = flag
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            pValue = try container.decodeFiniteOrNaN(forKey: .pValue)
            flag = try container.decode(Bool.self, forKey: .flag)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeFiniteOrNull(pValue, forKey: .pValue)
            try container.encode(flag, forKey: .flag)
        }
    }
}
