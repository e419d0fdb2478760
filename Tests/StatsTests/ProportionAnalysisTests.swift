import Foundation
import Testing

@testable import Stats

/// The analysis entry point: decisions on clear cases, agreement with the fixture, the JSON contract, validation.
@Suite("ProportionAnalysis")
struct ProportionAnalysisTests {
    func arms(_ counts: (String, Int, Int)...) -> [ArmCounts] {
        counts.map { ArmCounts(name: $0.0, deals: $0.2, conversions: $0.1) }
    }

    @Test("a large, clear lift is adopted")
    func adopt() throws {
        let result = try ProportionAnalysis.analyze(arms(("control", 10, 100), ("treatment", 40, 100)))
        #expect(result.decision == .adopt)
        #expect(result.comparisons[0].diffCI.lower > 0)
        #expect(result.reasons.contains { $0.contains("adopt treatment") })
    }

    @Test("a clear loss is rejected")
    func rejectHurts() throws {
        let result = try ProportionAnalysis.analyze(arms(("control", 40, 100), ("treatment", 10, 100)))
        #expect(result.decision == .reject)
        #expect(result.reasons.contains { $0.contains("does worse") })
    }

    @Test("a lift whose interval stays below the planned MDE is rejected as not worth acting on")
    func rejectTooSmall() throws {
        let result = try ProportionAnalysis.analyze(
            arms(("control", 200, 1000), ("treatment", 215, 1000)), plan: AnalysisPlan(mde: 0.15))
        #expect(result.comparisons[0].diffCI.upper < 0.15)
        #expect(result.decision == .reject)
        #expect(result.reasons.contains { $0.contains("short of the 15-point lift") })
    }

    @Test("an underpowered test is inconclusive and says how many more deals the planned MDE needs")
    func inconclusive() throws {
        let result = try ProportionAnalysis.analyze(
            arms(("control", 10, 50), ("treatment", 14, 50)), plan: AnalysisPlan(mde: 0.15))
        #expect(result.decision == .inconclusive)
        let needed = try #require(result.power.dealsNeeded)
        #expect(needed > 100)
        #expect(result.reasons.contains { $0.contains("it includes both no effect and the 15-point lift you planned for") })
        #expect(result.reasons.contains { $0.contains("\(needed) deals in total (\(needed - 100) more than the 100 you have") })
    }

    @Test("an incomplete test says continue, unless a sequential boundary was crossed")
    func continueCollecting() throws {
        let counts = arms(("control", 5, 40), ("treatment", 25, 40))
        let running = try ProportionAnalysis.analyze(counts, plan: AnalysisPlan(targetDeals: 150, isComplete: false))
        #expect(running.decision == .continue)
        #expect(running.reasons[0].contains("80 of the 150 planned deals (70 more needed)"))
        let crossed = try ProportionAnalysis.analyze(
            counts, plan: AnalysisPlan(targetDeals: 150, isComplete: false, boundaryCrossed: true))
        #expect(crossed.decision == .adopt)
    }

    @Test("with no resolved deals in either arm, the reason names both arms")
    func nothingResolvedYet() throws {
        let result = try ProportionAnalysis.analyze(
            arms(("control", 0, 0), ("treatment", 0, 0)), plan: AnalysisPlan(targetDeals: 150, isComplete: false))
        #expect(result.decision == .continue)
        #expect(result.reasons.contains("neither treatment nor control has resolved deals yet, so they cannot be compared."))
        #expect(result.srm.pValue.isNaN)
    }

    @Test("a sample ratio mismatch blocks adoption")
    func sampleRatioMismatch() throws {
        let counts = [
            ArmCounts(name: "control", enrolled: 40, deals: 40, conversions: 4),
            ArmCounts(name: "treatment", enrolled: 90, deals: 90, conversions: 45),
        ]
        let result = try ProportionAnalysis.analyze(counts)
        #expect(result.srm.flag)
        #expect(result.decision == .inconclusive)
        #expect(result.reasons.contains { $0.contains("sample ratio mismatch") })
    }

    @Test("with several treatments the best adopted one is named, and p-values are Holm-adjusted")
    func severalTreatments() throws {
        let result = try ProportionAnalysis.analyze(
            arms(("control", 10, 100), ("small", 30, 100), ("big", 45, 100), ("none", 11, 100)))
        #expect(result.decision == .adopt)
        #expect(result.reasons.last?.contains("adopt big") == true)
        let expected = MultipleTesting.holm(result.comparisons.map(\.pValue))
        #expect(result.comparisons.map(\.pAdjusted) == expected)
    }

    @Test("comparison numbers agree with the fixture's scipy/statsmodels values for the DESIGN example")
    func agreesWithFixture() throws {
        let table = try #require(GoldenFixture.shared.table(labelled: "DESIGN example: treatment 24/65 vs control 12/60"))
        let result = try ProportionAnalysis.analyze(arms(("control", 12, 60), ("treatment", 24, 65)))
        let comparison = result.comparisons[0]
        let intervals = table.intervals[0]
        #expect(Tolerance.close(comparison.pValue, table.boschlooScipy.twoSided, relative: 1e-6))
        #expect(Tolerance.close(comparison.pFisher, table.fisher.twoSided, relative: 1e-9))
        #expect(Tolerance.close(comparison.pZTest, table.ztestPooled.p, relative: 1e-9))
        #expect(Tolerance.close(comparison.diffCI.lower, intervals.newcombe[0], relative: 1e-9))
        #expect(Tolerance.close(comparison.diffCI.upper, intervals.newcombe[1], relative: 1e-9))
        #expect(Tolerance.close(comparison.relativeLiftCI.lower + 1, intervals.katzLog?[0] ?? nil, relative: 1e-9))
        #expect(Tolerance.close(comparison.probBeatBaseline, table.prob1Beats2, relative: 1e-8))
        #expect(Tolerance.close(comparison.expectedLoss, table.expectedLossChoosing1, relative: 1e-8))
        #expect(Tolerance.close(result.arms[1].rateCI.lower, intervals.wilson1[0], relative: 1e-9))
        #expect(Tolerance.close(result.arms[0].rateCI.upper, intervals.wilson2[1], relative: 1e-9))
        #expect(comparison.pAdjusted == comparison.pValue)
    }

    @Test("JSON has exactly the contract's keys; non-finite numbers are null")
    func jsonContract() throws {
        let result = try ProportionAnalysis.analyze(
            arms(("control", 0, 30), ("treatment", 4, 30)), plan: AnalysisPlan(mde: 0.15, metric: "addon_purchased"))
        let data = try JSONEncoder().encode(result)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["metric", "arms", "comparisons", "srm", "power", "decision", "reasons"])
        let arm = try #require((object["arms"] as? [[String: Any]])?.first)
        #expect(Set(arm.keys) == ["name", "enrolled", "deals", "conversions", "rate", "rate_ci"])
        let comparison = try #require((object["comparisons"] as? [[String: Any]])?.first)
        #expect(
            Set(comparison.keys) == [
                "arm", "baseline", "diff", "diff_ci", "relative_lift", "relative_lift_ci", "p_value", "p_fisher", "p_ztest",
                "p_adjusted", "prob_beat_baseline", "expected_loss",
            ])
        #expect(comparison["relative_lift"] is NSNull)
        #expect(Set((object["srm"] as? [String: Any])?.keys ?? [:].keys) == ["p_value", "flag"])
        #expect(Set((object["power"] as? [String: Any])?.keys ?? [:].keys) == ["mde", "mde_method", "power_at_mde", "deals_needed", "deals_needed_method"])
        #expect(["adopt", "reject", "inconclusive", "continue"].contains(object["decision"] as? String ?? ""))
        let decoded = try JSONDecoder().decode(AnalysisResult.self, from: data)
        #expect(decoded.decision == result.decision && decoded.reasons == result.reasons)
        #expect(decoded.comparisons[0].relativeLift.isNaN)

        let unnamed = try ProportionAnalysis.analyze(arms(("a", 1, 3), ("b", 2, 3)))
        let plain = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(unnamed)) as? [String: Any])
        #expect(plain["metric"] == nil)
        #expect((plain["power"] as? [String: Any])?["deals_needed"] is NSNull)
    }

    @Test("arms without deals give nulls and a reason, not a crash")
    func emptyArm() throws {
        let result = try ProportionAnalysis.analyze(arms(("control", 0, 0), ("treatment", 3, 10)))
        #expect(result.comparisons[0].pValue.isNaN)
        #expect(result.decision == .inconclusive)
        #expect(result.reasons.contains { $0.contains("no resolved deals") })
        _ = try JSONEncoder().encode(result)
    }

    @Test("invalid input throws StatsError with a message saying what to fix")
    func validation() {
        func code(_ arms: [ArmCounts], _ plan: AnalysisPlan = AnalysisPlan()) -> StatsError.Code? {
            do {
                _ = try ProportionAnalysis.analyze(arms, plan: plan)
                return nil
            } catch let error as StatsError {
                #expect(!error.message.isEmpty)
                return error.code
            } catch { return nil }
        }
        #expect(code(arms(("a", 70, 60), ("b", 1, 60))) == .invalidCounts)
        #expect(code(arms(("a", -1, 60), ("b", 1, 60))) == .invalidCounts)
        #expect(code(arms(("a", 1, 60))) == .tooFewArms)
        #expect(code(arms(("a", 1, 60), ("a", 2, 60))) == .duplicateArm)
        #expect(code(arms(("a", 1, 60), ("b", 2, 60)), AnalysisPlan(alpha: 1.2)) == .invalidParameter)
        #expect(code(arms(("a", 1, 60), ("b", 2, 60)), AnalysisPlan(alpha: 0)) == .invalidParameter)
        #expect(code(arms(("a", 1, 60), ("b", 2, 60)), AnalysisPlan(weights: [1])) == .invalidParameter)
        #expect(code(arms(("a", 1, 60), ("b", 2, 60)), AnalysisPlan(mde: 15)) == .invalidParameter)
    }

    @Test("reasons write differences in percentage points")
    func numberText() {
        #expect(NumberText.points(0.169) == "+16.9")
        #expect(NumberText.points(-0.03) == "−3")
        #expect(NumberText.pointSize(0.15) == "15")
        #expect(NumberText.percent(0.2) == "20%")
        #expect(NumberText.pValue(0.0412) == "0.041")
        #expect(NumberText.pValue(0.0004) == "< 0.001")
        #expect(NumberText.pValue(0.0398) == "0.040")
        #expect(NumberText.pEquals(0.0004) == "p < 0.001")
        #expect(NumberText.pEquals(0.9999) == "p = 1")
    }
}
