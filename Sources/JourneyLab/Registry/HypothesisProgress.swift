import Foundation
import Postgres

/// How far a hypothesis is: enrolled and resolved deals per arm against the target, days against min/max.
public struct HypothesisProgress: Sendable, Codable, Equatable {
    public struct Arm: Sendable, Codable, Equatable {
        public var name: String
        public var isControl: Bool
        public var weight: Int
        /// Deals assigned to the arm.
        public var enrolled: Int
        /// Of those, deals with a `closed_won` or `closed_lost` event reported after their assignment.
        public var resolved: Int
        /// The arm's share of the target, rounded up.
        public var target: Int
    }

    public var arms: [Arm]
    public var enrolled: Int
    public var resolved: Int
    public var targetDeals: Int
    /// Whole days since the start (to the end, once ended); nil before the start.
    public var daysElapsed: Int?
    public var minDays: Int
    public var maxDays: Int

    /// Resolved deals reached the target.
    public var targetReached: Bool { resolved >= targetDeals }
    public var minDaysPassed: Bool { (daysElapsed ?? -1) >= minDays }
    public var maxDaysPassed: Bool { (daysElapsed ?? -1) >= maxDays }

    /// Counts from `assignments` and `events` (resolved as `OutcomeRule` says).
    public static func load(for hypothesis: Hypothesis, now: Date, _ connection: PGConnection) throws -> HypothesisProgress {
        let counts = try connection.query(
            """
            SELECT a.arm, count(*) AS enrolled,
                   count(*) FILTER (WHERE \(OutcomeRule.isResolved(assignment: "a"))) AS resolved
              FROM assignments a WHERE a.hypothesis_key = $1 GROUP BY a.arm
            """, [hypothesis.key]
        ).rows {
            (arm: try $0.decode(String.self, 0), enrolled: try $0.decode(Int.self, 1), resolved: try $0.decode(Int.self, 2))
        }
        let plan = hypothesis.plan
        let totalWeight = max(1, plan.arms.map(\.weight).reduce(0, +))
        let arms = plan.arms.map { arm in
            let count = counts.first { $0.arm == arm.name }
            return Arm(
                name: arm.name, isControl: arm.isControl, weight: arm.weight, enrolled: count?.enrolled ?? 0,
                resolved: count?.resolved ?? 0,
                target: Int((Double(plan.targetDeals * arm.weight) / Double(totalWeight)).rounded(.up)))
        }
        let days = hypothesis.startedAt.map { start in
            max(0, Int(((hypothesis.endedAt ?? now).timeIntervalSince(start) / 86_400).rounded(.down)))
        }
        return HypothesisProgress(
            arms: arms, enrolled: arms.map(\.enrolled).reduce(0, +), resolved: arms.map(\.resolved).reduce(0, +),
            targetDeals: plan.targetDeals, daysElapsed: days, minDays: plan.minDays, maxDays: plan.maxDays)
    }
}
