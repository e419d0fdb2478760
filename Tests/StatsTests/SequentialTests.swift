import Testing

@testable import Stats

/// Group-sequential boundaries from Lan–DeMets spending.
@Suite("Group sequential boundaries")
struct SequentialTests {
    @Test("three equal looks, O'Brien–Fleming type, alpha 0.05: 3.3948, 2.4067, 2.0152")
    func knownValues() throws {
        let design = try GroupSequentialDesign.boundaries(
            alpha: 0.05, informationFractions: GroupSequentialDesign.equallySpaced(looks: 3), spending: .obrienFleming)
        for (value, expected) in zip(design.critical, [3.3948, 2.4067, 2.0152]) {
            #expect(abs(value - expected) < 1e-4, "\(design.critical)")
        }
        #expect(abs(design.cumulativeAlpha.last! - 0.05) < 1e-15)
    }

    @Test("boundaries agree to 1e-4 with roots solved from scipy.stats.multivariate_normal.cdf")
    func againstMultivariateNormal() throws {
        #expect(GoldenFixture.shared.sequential.count >= 6)
        for item in GoldenFixture.shared.sequential {
            let spending = try #require(AlphaSpendingFunction(rawValue: item.spending))
            let design = try GroupSequentialDesign.boundaries(
                alpha: item.alpha, informationFractions: item.fractions, spending: spending)
            #expect(design.critical.count == item.z.count)
            for (value, expected) in zip(design.critical, item.z) {
                #expect(abs(value - expected) < 1e-4, "\(item.spending) \(item.fractions): \(design.critical) vs \(item.z)")
            }
        }
    }

    @Test("O'Brien–Fleming boundaries fall look by look; nominal levels rise; bad input throws")
    func properties() throws {
        let design = try GroupSequentialDesign.boundaries(
            alpha: 0.05, informationFractions: GroupSequentialDesign.equallySpaced(looks: 5), spending: .obrienFleming)
        #expect(zip(design.critical, design.critical.dropFirst()).allSatisfy { $0 > $1 })
        #expect(zip(design.nominalAlpha, design.nominalAlpha.dropFirst()).allSatisfy { $0 < $1 })
        #expect(design.crosses(z: -4.5, atLook: 0))
        #expect(!design.crosses(z: 2.1, atLook: 1))
        #expect(throws: StatsError.self) {
            try GroupSequentialDesign.boundaries(alpha: 0.05, informationFractions: [0.5, 0.4, 1], spending: .pocock)
        }
        #expect(throws: StatsError.self) {
            try GroupSequentialDesign.boundaries(alpha: 1.5, informationFractions: [1], spending: .pocock)
        }
    }
}
