import Testing

@testable import Stats

/// Revenue per deal: Welch's t, Mann–Whitney U and the bootstrap interval.
@Suite("Revenue tests")
struct RevenueTests {
    @Test("Welch's t-test agrees with scipy.stats.ttest_ind(equal_var=False) to 1e-9")
    func welch() {
        for item in GoldenFixture.shared.revenue {
            let result = WelchTTest.test(item.x, item.y)
            #expect(Tolerance.close(result.statistic, item.welch.t, relative: 1e-9))
            #expect(Tolerance.close(result.degreesOfFreedom, item.welch.df, relative: 1e-9))
            #expect(Tolerance.close(result.pValue, item.welch.p, relative: 1e-9), "\(result.pValue) vs \(item.welch.p ?? .nan)")
        }
    }

    @Test("Mann–Whitney U agrees with scipy.stats.mannwhitneyu (asymptotic, continuity) to 1e-9, ties included")
    func mannWhitney() {
        for item in GoldenFixture.shared.revenue {
            let result = MannWhitneyUTest.test(item.x, item.y)
            #expect(Tolerance.close(result.statistic, item.mwu.u, relative: 1e-12))
            #expect(Tolerance.close(result.pValue, item.mwu.p, relative: 1e-9), "\(result.pValue) vs \(item.mwu.p ?? .nan)")
        }
    }

    @Test("the bootstrap interval is reproducible, contains the observed difference and narrows with more data")
    func bootstrap() {
        var generator = SplitMix64(seed: 42)
        let x = (0..<40).map { _ in Double(generator.nextIndex(below: 1000)) + 500 }
        let y = (0..<40).map { _ in Double(generator.nextIndex(below: 1000)) }
        let first = BootstrapInterval.meanDifference(x, y, resamples: 2000, seed: 7)
        let second = BootstrapInterval.meanDifference(x, y, resamples: 2000, seed: 7)
        #expect(first == second)
        let observed = x.reduce(0, +) / 40 - y.reduce(0, +) / 40
        #expect(first.contains(observed))
        #expect(first.lower > 0)
        let other = BootstrapInterval.meanDifference(x, y, resamples: 2000, seed: 8)
        #expect(other != first)
        let bigger = BootstrapInterval.meanDifference(x + x + x + x, y + y + y + y, resamples: 2000, seed: 7)
        #expect(bigger.upper - bigger.lower < first.upper - first.lower)
        let wider = BootstrapInterval.meanDifference(x, y, alpha: 0.01, resamples: 2000, seed: 7)
        #expect(wider.lower <= first.lower && wider.upper >= first.upper)
    }

    @Test("SplitMix64 is reproducible and its bounded integers are roughly uniform")
    func generator() {
        var a = SplitMix64(seed: 1)
        var b = SplitMix64(seed: 1)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        var counts = [Int](repeating: 0, count: 10)
        var c = SplitMix64(seed: 3)
        for _ in 0..<100_000 { counts[c.nextIndex(below: 10)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
    }
}
