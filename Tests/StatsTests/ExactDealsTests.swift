import Foundation
import Stats
import Testing

/// "Deals needed" for the exact Fisher test against a brute-force search over scipy's probabilities
/// (scripts/golden/exact_deals.py): the first total that reaches the power, saw-tooth and all.
@Suite("Exact deals needed")
struct ExactDealsTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var baseline_rate: Double
            var lift: Double
            var weights: [Double]
            var alpha: Double
            var power: Double
            var deals: [Int]
        }
        var cases: [Case]
    }

    static let fixture = FixtureFile.load("exact_deals.json", empty: Fixture(cases: []))

    @Test func fixtureIsPresent() { #expect(Self.fixture.cases.count >= 6) }

    @Test func firstTotalThatReachesThePower() {
        for golden in Self.fixture.cases {
            let split = ExactPower.dealsNeeded(
                test: .fisher, baselineRate: golden.baseline_rate, lift: golden.lift,
                weights: (golden.weights[0], golden.weights[1]), alpha: golden.alpha, power: golden.power)
            #expect(split?.deals == golden.deals, "\(golden.baseline_rate) + \(golden.lift), \(golden.weights)")
        }
    }
}
