import Foundation

/// The frozen parts of a running hypothesis's plan that decide who is enrolled and in which arm.
///
/// Safe to cache by (key, plan hash): the database refuses any change to a started plan or its arms.
struct EnrollmentPlan: Sendable {
    var key: String
    var stageKey: String
    var planHash: String
    var arms: [Hypothesis.Arm]
    var randomization: Hypothesis.Randomization
    var stratify: Hypothesis.Stratification
    var seed: Int64
    var segmentFilter: String?
    var exclusionGroup: String?

    init(_ hypothesis: Hypothesis) {
        key = hypothesis.key
        stageKey = hypothesis.stageKey
        planHash = hypothesis.planHash ?? ""
        arms = hypothesis.plan.arms
        randomization = hypothesis.plan.randomization
        stratify = hypothesis.plan.stratify
        seed = hypothesis.plan.seed
        segmentFilter = hypothesis.plan.segmentFilter
        exclusionGroup = hypothesis.plan.exclusionGroup
    }

    var weights: [Int] { arms.map(\.weight) }

    /// True when a deal of `segment` may be enrolled.
    func admits(segment: String?) -> Bool {
        guard let segmentFilter else { return true }
        return segment == segmentFilter
    }

    /// The stratum a deal falls in.
    func stratum(dealerID: String, segment: String?) -> String {
        Self.stratum(stratify, dealerID: dealerID, segment: segment)
    }

    static func stratum(_ stratify: Hypothesis.Stratification, dealerID: String, segment: String?) -> String {
        switch stratify {
        case .dealer: return dealerID
        case .segment: return segment ?? "(none)"
        case .none: return "all"
        }
    }
}
