import Testing

@testable import Stats

/// More than two arms: Freeman–Halton, and Holm / Benjamini–Hochberg adjustments.
@Suite("More than two arms")
struct MultiArmTests {
    let fixture = GoldenFixture.shared

    @Test("Freeman–Halton agrees with a brute-force multivariate-hypergeometric enumeration to 1e-9")
    func freemanHalton() {
        for item in fixture.multiArm {
            let p = FreemanHaltonTest.pValue(successes: item.successes, trials: item.trials)
            #expect(Tolerance.close(p, item.freemanHalton, relative: 1e-9), "\(item.successes)/\(item.trials): \(p)")
        }
    }

    @Test("Freeman–Halton with two arms is Fisher's two-sided test")
    func freemanHaltonTwoArms() {
        for table in fixture.tables.prefix(60) {
            let fh = FreemanHaltonTest.pValue(successes: [table.x1, table.x2], trials: [table.n1, table.n2])
            let fisher = FisherExactTest.pValue(successes1: table.x1, trials1: table.n1, successes2: table.x2, trials2: table.n2)
            #expect(Tolerance.close(fh, fisher, relative: 1e-9), "\(table)")
        }
    }

    @Test("Holm and Benjamini–Hochberg equal statsmodels multipletests exactly")
    func adjustments() {
        for item in fixture.multipleTesting {
            let holm = MultipleTesting.holm(item.p)
            let bh = MultipleTesting.benjaminiHochberg(item.p)
            #expect(holm == item.holm.map { $0 ?? .nan }, "holm \(item.p)")
            #expect(bh == item.bh.map { $0 ?? .nan }, "bh \(item.p)")
        }
    }

    @Test("adjusted p-values are never below the raw ones and stay in [0, 1]")
    func adjustmentProperties() {
        for item in fixture.multipleTesting {
            for (raw, adjusted) in zip(item.p, MultipleTesting.holm(item.p)) { #expect(adjusted >= raw && adjusted <= 1) }
            for (raw, adjusted) in zip(item.p, MultipleTesting.benjaminiHochberg(item.p)) {
                #expect(adjusted >= raw && adjusted <= 1)
            }
        }
    }
}
