import Foundation
import Stats

/// The significance report of one hypothesis.
///
/// Its JSON is the analysis contract of DESIGN.md (`metric`, `arms`, `comparisons`, `srm`, `power`,
/// `decision`, `reasons` at the top level, exactly as `journeylab analyze` prints them) plus the hypothesis,
/// its plan and status, its dealers and its timeline.
public struct HypothesisReport: Sendable, Encodable {
    public var analysis: AnalysisResult
    public var hypothesis: Summary
    public var plan: PlanSummary
    public var progress: Progress
    /// Per dealer, per arm (enrollment balance and the strata of the stratified test).
    public var dealers: [DealerSlice]
    /// Cumulative resolved deals and conversions per arm, by week of resolution.
    public var timeline: [WeekSlice]
    /// Cochran–Mantel–Haenszel across dealers (first treatment vs control); nil when undefined.
    public var stratified: CochranMantelHaenszel.Result?
    /// Group-sequential boundaries when the plan has more than one look.
    public var boundaries: SequentialBoundaries?
    /// Benjamini–Hochberg-adjusted primary p-value across the hypotheses of one report.
    public var pAdjustedAcrossReport: Double?
    /// Set when block randomization produced more imbalance than its open blocks allow (a bug, not chance).
    public var integrityError: String?
    public var revenue: [RevenueSlice]
    public var generatedAt: Date

    public struct Summary: Sendable, Encodable {
        public var id: String
        public var title: String
        public var journey: String
        public var journeyName: String
        public var stage: String
        public var stageName: String
        public var barrier: String?
        public var barrierText: String?
        public var recommendation: String?
        public var recommendationText: String?
        public var status: String
        public var outcome: String?

        enum CodingKeys: String, CodingKey {
            case id, title, journey, stage, barrier, recommendation, status, outcome
            case journeyName = "journey_name", stageName = "stage_name", barrierText = "barrier_text"
            case recommendationText = "recommendation_text"
        }
    }

    public struct PlanSummary: Sendable, Encodable {
        public var metric: String
        public var arms: [String]
        public var weights: [Int]
        public var control: String
        public var targetDeals: Int
        public var alpha: Double
        public var power: Double
        public var baselineRate: Double?
        public var mde: Double?
        public var minDays: Int
        public var maxDays: Int
        public var randomization: String
        public var stratify: String
        public var looks: Int
        public var hash: String?

        enum CodingKeys: String, CodingKey {
            case metric, arms, weights, control, alpha, power, mde, randomization, stratify, looks, hash
            case targetDeals = "target_deals", baselineRate = "baseline_rate", minDays = "min_days", maxDays = "max_days"
        }
    }

    public struct Progress: Sendable, Encodable {
        public var enrolled: Int
        public var resolved: Int
        public var target: Int
        public var dealsStillNeeded: Int
        public var daysElapsed: Double?
        public var startedAt: Date?
        /// No more deals count toward the plan (the target is reached, or the test stopped, expired or
        /// concluded), so power and MDE refer to the deals at hand; while false they refer to the planned
        /// deals. Not in the JSON: `decision` and `reasons` say it there.
        public var isComplete: Bool

        /// What power and MDE refer to while the test collects: the planned total; nil once complete.
        public var plannedWhileCollecting: Int? { isComplete ? nil : target }

        enum CodingKeys: String, CodingKey {
            case enrolled, resolved, target
            case dealsStillNeeded = "deals_still_needed", daysElapsed = "days_elapsed", startedAt = "started_at"
        }
    }

    public struct DealerSlice: Sendable, Encodable {
        public var dealer: String
        public var arms: [ArmTally]
    }

    public struct WeekSlice: Sendable, Encodable {
        public var week: Date
        public var arms: [ArmTally]
    }

    public struct RevenueSlice: Sendable, Encodable {
        public var arm: String
        public var total: Double
        public var perResolvedDeal: Double?

        enum CodingKeys: String, CodingKey {
            case arm, total
            case perResolvedDeal = "per_resolved_deal"
        }
    }

    enum ExtraKeys: String, CodingKey {
        case hypothesis, plan, progress, dealers, timeline, stratified, boundaries, revenue
        case pAdjustedAcrossReport = "p_adjusted_across_report", integrityError = "integrity_error"
        case generatedAt = "generated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        try analysis.encode(to: encoder)
        var container = encoder.container(keyedBy: ExtraKeys.self)
        try container.encode(hypothesis, forKey: .hypothesis)
        try container.encode(plan, forKey: .plan)
        try container.encode(progress, forKey: .progress)
        try container.encode(dealers, forKey: .dealers)
        try container.encode(timeline, forKey: .timeline)
        try container.encode(stratified, forKey: .stratified)
        try container.encodeIfPresent(boundaries, forKey: .boundaries)
        try container.encode(revenue, forKey: .revenue)
        try container.encode(pAdjustedAcrossReport, forKey: .pAdjustedAcrossReport)
        try container.encode(integrityError, forKey: .integrityError)
        try container.encode(generatedAt, forKey: .generatedAt)
    }
}
