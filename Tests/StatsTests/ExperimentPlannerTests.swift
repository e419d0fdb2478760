import Testing

@testable import Stats

/// The planner behind `journeylab plan`.
@Suite("ExperimentPlanner")
struct ExperimentPlannerTests {
    @Test("the MDE for a number of deals: normal matches NormalApproximationPower, exact columns reach the power")
    func mdeForDeals() throws {
        let result = try ExperimentPlanner.plan(PlanningRequest(baselineRate: 0.2, deals: 60))
        #expect(result.solvedFor == "mde")
        #expect(result.normal.dealsPerArm == [30, 30])
        let normal = try #require(result.normal.mde)
        #expect(normal == NormalApproximationPower.minimumDetectableLift(baseline: 0.2, nobs1: 30, power: 0.8))
        let boschloo = try #require(result.boschloo.mde)
        let fisher = try #require(result.fisher.mde)
        // Boschloo is uniformly more powerful than Fisher, so it detects a smaller lift.
        #expect(boschloo < fisher)
        #expect(abs((result.boschloo.power ?? 0) - 0.8) < 1e-6)
    }

    @Test("the deals for an MDE with unequal weights and three arms use alpha / treatments and the smallest arm")
    func dealsForMDE() throws {
        let result = try ExperimentPlanner.plan(
            PlanningRequest(baselineRate: 0.3, mde: 0.3, weights: [2, 1, 1], looks: 2))
        #expect(result.comparisonAlpha == 0.025)
        let perArm = try #require(result.boschloo.dealsPerArm)
        #expect(perArm.count == 3 && perArm[1] == perArm[2] && abs(perArm[0] - 2 * perArm[1]) <= 1)
        #expect((result.boschloo.power ?? 0) >= 0.8)
        #expect((result.fisher.deals ?? 0) >= (result.boschloo.deals ?? .max))
        let sequential = try #require(result.sequential)
        #expect(sequential.boundaries.critical.count == 2)
        #expect(sequential.dealsAtLook.last == result.boschloo.deals)
    }

    @Test("bad requests throw StatsError")
    func validation() {
        #expect(throws: StatsError.self) { try ExperimentPlanner.plan(PlanningRequest(baselineRate: 0.2)) }
        #expect(throws: StatsError.self) { try ExperimentPlanner.plan(PlanningRequest(baselineRate: 0.2, deals: 10, mde: 0.1)) }
        #expect(throws: StatsError.self) { try ExperimentPlanner.plan(PlanningRequest(baselineRate: 0, deals: 100)) }
        #expect(throws: StatsError.self) { try ExperimentPlanner.plan(PlanningRequest(baselineRate: 0.9, mde: 0.2)) }
        #expect(throws: StatsError.self) {
            try ExperimentPlanner.plan(PlanningRequest(baselineRate: 0.2, deals: 100, weights: [1]))
        }
        #expect(throws: StatsError.self) { try ExperimentPlanner.plan(PlanningRequest(baselineRate: 0.2, deals: 100, looks: 11)) }
    }
}
