/// The result of analysing a test's arms: the shared "Report JSON" of DESIGN.md.
///
/// Encodes with `JSONEncoder` to exactly the contract's keys; numbers that are not finite (an
/// unbounded relative lift, a rate of an arm with no deals) encode as `null`.
public struct AnalysisResult: Sendable, Hashable, Codable {
    /// The metric's name, when the plan names one (omitted otherwise).
    public var metric: String?
    /// One entry per arm, baseline first.
    public var arms: [Arm]
    /// One entry per treatment: the treatment against the baseline.
    public var comparisons: [Comparison]
    /// The sample-ratio-mismatch check.
    public var srm: SampleRatio
    /// What these deals can detect, and what the planned lift needs.
    public var power: Power
    /// The recommendation.
    public var decision: AnalysisDecision
    /// Plain-English sentences explaining the decision, numbers in percentage points.
    public var reasons: [String]

    enum CodingKeys: String, CodingKey {
        case metric, arms, comparisons, srm, power, decision, reasons
    }

    /// A result from its parts.
    public init(
        metric: String?, arms: [Arm], comparisons: [Comparison], srm: SampleRatio, power: Power,
        decision: AnalysisDecision, reasons: [String]
    ) {
        self.metric = metric
        self.arms = arms
        self.comparisons = comparisons
        self.srm = srm
        self.power = power
        self.decision = decision
        self.reasons = reasons
    }
}
