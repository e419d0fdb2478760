import Foundation
import Stats
import Testing

/// The stratified (per-dealer) test against statsmodels' StratifiedTable (scripts/golden/cmh.py).
@Suite("Cochran–Mantel–Haenszel")
struct CochranMantelHaenszelTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var strata: [[Int]]
            var statistic: Double
            var p_value: Double
            var odds_ratio: Double
        }
        var cases: [Case]
    }

    static let fixture = FixtureFile.load("cmh.json", empty: Fixture(cases: []))

    @Test func fixtureIsPresent() { #expect(Self.fixture.cases.count >= 50) }

    @Test func agreesWithStatsmodels() throws {
        for golden in Self.fixture.cases {
            let strata = golden.strata.map {
                CochranMantelHaenszel.Stratum(
                    treatmentConversions: $0[0], treatmentDeals: $0[1], controlConversions: $0[2], controlDeals: $0[3])
            }
            let result = try #require(CochranMantelHaenszel.test(strata))
            #expect(Tolerance.close(result.statistic, golden.statistic, relative: 1e-9, absolute: 1e-12))
            #expect(Tolerance.close(result.pValue, golden.p_value, relative: 1e-9, absolute: 1e-14))
            #expect(Tolerance.close(try #require(result.commonOddsRatio), golden.odds_ratio, relative: 1e-9))
        }
    }

    @Test func undefinedWithoutBothArms() {
        let onlyTreatment = [CochranMantelHaenszel.Stratum(treatmentConversions: 3, treatmentDeals: 10, controlConversions: 0, controlDeals: 0)]
        #expect(CochranMantelHaenszel.test(onlyTreatment) == nil)
    }
}
