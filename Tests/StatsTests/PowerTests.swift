import Testing

@testable import Stats

/// Power, sample size and MDE: normal approximation against statsmodels, exact against brute force.
@Suite("Power and sample size")
struct PowerTests {
    let fixture = GoldenFixture.shared

    @Test("normal-approximation power, sample size and MDE agree with statsmodels NormalIndPower to 1e-6")
    func normal() {
        #expect(fixture.powerNormal.count >= 90)
        for item in fixture.powerNormal {
            let h = NormalApproximationPower.effectSize(item.p2, item.p1)
            #expect(Tolerance.close(h, item.h, relative: 1e-12))
            let power = NormalApproximationPower.power(effectSize: h, nobs1: item.nobs1, ratio: item.ratio, alpha: item.alpha)
            #expect(Tolerance.close(power, item.power, relative: 1e-6), "power \(item.p1)→\(item.p2) n=\(item.nobs1)")
            let needed = NormalApproximationPower.sampleSize(effectSize: h, ratio: item.ratio, alpha: item.alpha, power: 0.8)
            #expect(Tolerance.close(needed ?? .nan, item.nobs1For80, relative: 1e-6), "n for \(item.p1)→\(item.p2)")
            let mdeH = NormalApproximationPower.detectableEffectSize(
                nobs1: item.nobs1, ratio: item.ratio, alpha: item.alpha, power: 0.8)
            #expect(Tolerance.close(mdeH, item.mdeH80, relative: 1e-6), "mde h at n=\(item.nobs1)")
            let lift = NormalApproximationPower.minimumDetectableLift(
                baseline: item.p1, nobs1: item.nobs1, ratio: item.ratio, alpha: item.alpha, power: 0.8)
            #expect(Tolerance.close(lift ?? .nan, item.mdeLift80, relative: 1e-6), "mde lift at p1=\(item.p1) n=\(item.nobs1)")
        }
    }

    @Test("exact power agrees with brute-force rejection regions (Fisher from scipy.fisher_exact, Boschloo dense)")
    func exact() throws {
        #expect(fixture.powerExact.contains { $0.test == "boschloo" })
        for item in fixture.powerExact {
            let test = try #require(ExactTestKind(rawValue: item.test))
            let region = ExactRejectionRegion(test: test, trials1: item.n1, trials2: item.n2, alpha: item.alpha)
            #expect(region.rejectedCount == item.rejected, "\(item.test) \(item.n1)×\(item.n2): region size")
            for rates in item.cases {
                let power = region.power(rate1: rates.p1, rate2: rates.p2)
                #expect(
                    Tolerance.close(power, rates.power, relative: 1e-9, absolute: 1e-14),
                    "\(item.test) \(item.n1)×\(item.n2) \(rates)")
            }
        }
    }

    @Test("exact tests hold their level: size ≤ alpha at every common rate")
    func exactSize() {
        for test in ExactTestKind.allCases {
            let region = ExactRejectionRegion(test: test, trials1: 25, trials2: 30, alpha: 0.05)
            for rate in stride(from: 0.0, through: 1.0, by: 0.05) {
                #expect(region.power(rate1: rate, rate2: rate) <= 0.05 + 1e-12, "\(test) size at \(rate)")
            }
        }
    }

    @Test("power grows with deals, and Boschloo is at least as powerful as Fisher")
    func monotone() {
        var previous = 0.0
        for deals in stride(from: 20, through: 200, by: 30) {
            let power = NormalApproximationPower.power(
                effectSize: NormalApproximationPower.effectSize(0.35, 0.2), nobs1: Double(deals), alpha: 0.05)
            #expect(power > previous)
            previous = power
        }
        let fisher = ExactPower.power(
            test: .fisher, baselineRate: 0.2, treatmentRate: 0.45, baselineDeals: 40, treatmentDeals: 40)
        let boschloo = ExactPower.power(
            test: .boschloo, baselineRate: 0.2, treatmentRate: 0.45, baselineDeals: 40, treatmentDeals: 40)
        #expect(boschloo >= fisher)
        let small = ExactPower.power(
            test: .boschloo, baselineRate: 0.2, treatmentRate: 0.45, baselineDeals: 20, treatmentDeals: 20)
        #expect(boschloo > small)
    }

    @Test("exact MDE and deals needed are consistent with exact power")
    func exactPlanning() throws {
        let lift = try #require(
            ExactPower.minimumDetectableLift(
                test: .boschloo, baselineRate: 0.2, baselineDeals: 30, treatmentDeals: 30, power: 0.8))
        let power = ExactPower.power(
            test: .boschloo, baselineRate: 0.2, treatmentRate: 0.2 + lift, baselineDeals: 30, treatmentDeals: 30)
        #expect(abs(power - 0.8) < 1e-6)
        let normalLift = try #require(NormalApproximationPower.minimumDetectableLift(baseline: 0.2, nobs1: 30, power: 0.8))
        #expect(lift > normalLift * 0.9 && lift < normalLift * 1.3)
        let split = try #require(ExactPower.dealsNeeded(test: .fisher, baselineRate: 0.2, lift: 0.3, power: 0.8))
        let atSplit = ExactPower.power(
            test: .fisher, baselineRate: 0.2, treatmentRate: 0.5, baselineDeals: split.deals[0], treatmentDeals: split.deals[1])
        #expect(atSplit >= 0.8)
        let smaller = DealSplit(total: split.total - 1, weights: [1, 1])
        let below = ExactPower.power(
            test: .fisher, baselineRate: 0.2, treatmentRate: 0.5, baselineDeals: smaller.deals[0],
            treatmentDeals: smaller.deals[1])
        #expect(below < 0.8)
    }

    @Test("deal splits add up and follow the weights")
    func splits() {
        #expect(DealSplit(total: 150, weights: [1, 1]).deals == [75, 75])
        #expect(DealSplit(total: 150, weights: [1, 4]).deals == [30, 120])
        #expect(DealSplit(total: 100, weights: [1, 1, 1]).deals.reduce(0, +) == 100)
    }
}
