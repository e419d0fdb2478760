import Foundation
import Stats
import Testing

/// Where the normal approximation is unreliable (few expected conversions), the analysis's MDE is Boschloo's
/// exact one — checked against scipy's `boschloo_exact` region (`scripts/golden/exact_mde.py`).
@Suite("Exact MDE against scipy")
struct ExactMDETests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var n1: Int
            var n2: Int
            var p1: Double
            var alpha: Double
            var power: Double
            var mde: Double?
            var lift: Double?
            var powerAtLift: Double?
            var dealsNeededAtLift: Int?

            enum CodingKeys: String, CodingKey {
                case n1, n2, p1, alpha, power, mde, lift
                case powerAtLift = "power_at_lift"
                case dealsNeededAtLift = "deals_needed_at_lift"
            }
        }
        var cases: [Case]
    }

    static let fixture = FixtureFile.load("exact_mde.json", empty: Fixture(cases: []))

    @Test func fixtureIsPresent() { #expect(Self.fixture.cases.count >= 4) }

    @Test func exactPowerAgreesWithScipy() throws {
        for golden in Self.fixture.cases {
            let lift = ExactPower.minimumDetectableLift(
                test: .boschloo, baselineRate: golden.p1, baselineDeals: golden.n1, treatmentDeals: golden.n2,
                alpha: golden.alpha, power: golden.power)
            let expected = try #require(golden.mde)
            #expect(abs((lift ?? .nan) - expected) < 1e-8, "\(golden.n1)/\(golden.n2) at p1 \(golden.p1): \(String(describing: lift))")
        }
    }

    /// The flagship case (0 of 50 against 4 of 50): the analysis's MDE is scipy's exact one, not the
    /// normal approximation's 7.6 points, and the reasons say which method gave it.
    @Test func analysisUsesTheExactMDEWhenConversionsAreFew() throws {
        let golden = try #require(Self.fixture.cases.first { $0.n1 == 50 && $0.n2 == 50 && $0.p1 == 0 && $0.alpha == 0.05 })
        let result = try ProportionAnalysis.analyze([
            ArmCounts(name: "control", deals: 50, conversions: 0), ArmCounts(name: "treatment", deals: 50, conversions: 4),
        ])
        #expect(result.power.mdeMethod == .boschlooExact)
        #expect(abs(result.power.mde - (golden.mde ?? .nan)) < 1e-8, "\(result.power.mde)")
        let normal = try #require(NormalApproximationPower.minimumDetectableLift(baseline: 0, nobs1: 50, power: 0.8))
        #expect(result.power.mde > normal * 1.5, "the approximation understates it here")
        #expect(result.reasons.contains { $0.contains("(Boschloo exact: too few expected conversions") }, "\(result.reasons)")

        // Three arms: each comparison at alpha / 2, as Holm's first step.
        let multi = try #require(Self.fixture.cases.first { $0.alpha == 0.025 })
        let three = try ProportionAnalysis.analyze([
            ArmCounts(name: "control", deals: 30, conversions: 0), ArmCounts(name: "a", deals: 30, conversions: 3),
            ArmCounts(name: "b", deals: 30, conversions: 5),
        ])
        #expect(three.power.mdeMethod == .boschlooExact)
        #expect(abs(three.power.mde - (multi.mde ?? .nan)) < 1e-8, "\(three.power.mde)")
    }

    /// Where the MDE is exact, the power at the planned lift and the deals it needs are too (scipy's region), so
    /// the three figures never contradict each other: an exact 13-point MDE beside a normal-approximation power
    /// of 90% at 10 points, and "76 deals needed" with 100 in hand, did.
    @Test func powerAndDealsNeededFollowTheExactMDE() throws {
        for golden in Self.fixture.cases where golden.n1 == golden.n2 {
            let lift = try #require(golden.lift)
            let baselineConversions = Int((golden.p1 * Double(golden.n1)).rounded())
            let result = try ProportionAnalysis.analyze(
                [
                    ArmCounts(name: "control", deals: golden.n1, conversions: baselineConversions),
                    ArmCounts(name: "treatment", deals: golden.n2, conversions: 3),
                ], plan: AnalysisPlan(alpha: golden.alpha, power: golden.power, mde: lift))
            #expect(result.power.mdeMethod == .boschlooExact)
            let expected = try #require(golden.powerAtLift)
            #expect(abs(result.power.powerAtMDE - expected) < 1e-8, "\(golden.n1) at p1 \(golden.p1): \(result.power.powerAtMDE)")
            if let deals = golden.dealsNeededAtLift {
                #expect(result.power.dealsNeeded == deals)
                #expect(result.power.dealsNeededMethod == .boschlooExact)
            }
            // Below the exact MDE the power is below the target, and more deals are needed than are in hand.
            if lift < (golden.mde ?? 0) {
                #expect(result.power.powerAtMDE < golden.power)
                #expect((result.power.dealsNeeded ?? 0) > golden.n1 + golden.n2)
            }
        }
        // Without a planned lift, the power reported is at the exact MDE itself: the target, as it should be.
        let plain = try ProportionAnalysis.analyze([
            ArmCounts(name: "control", deals: 50, conversions: 0), ArmCounts(name: "treatment", deals: 50, conversions: 4),
        ])
        #expect(abs(plain.power.powerAtMDE - 0.8) < 1e-6, "\(plain.power.powerAtMDE)")
    }

    /// With enough expected conversions the normal approximation stands (and stays cheap).
    @Test func typicalCountsKeepTheNormalApproximation() throws {
        let result = try ProportionAnalysis.analyze([
            ArmCounts(name: "control", deals: 75, conversions: 15), ArmCounts(name: "treatment", deals: 75, conversions: 24),
        ])
        #expect(result.power.mdeMethod == .normalApproximation)
        let normal = try #require(NormalApproximationPower.minimumDetectableLift(baseline: 0.2, nobs1: 75, power: 0.8))
        #expect(abs(result.power.mde - normal) < 1e-12)
    }
}
