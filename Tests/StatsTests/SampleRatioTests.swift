import Testing

@testable import Stats

/// The sample-ratio-mismatch check against scipy.stats.chisquare.
@Suite("Sample ratio mismatch")
struct SampleRatioTests {
    @Test("chi-square goodness of fit agrees with scipy.stats.chisquare to 1e-9")
    func chiSquare() {
        for item in GoldenFixture.shared.chisquare {
            let result = ChiSquareGoodnessOfFit.test(observed: item.observed, weights: item.weights)
            #expect(Tolerance.close(result.statistic, item.statistic, relative: 1e-9, absolute: 1e-14), "\(item.observed)")
            #expect(Tolerance.close(result.pValue, item.p, relative: 1e-9), "\(item.observed): \(result.pValue)")
            #expect(SampleRatioMismatch.check(counts: item.observed, weights: item.weights).flag == ((item.p ?? 1) < 0.001))
        }
    }

    @Test("40 vs 80 deals under a 1:1 plan is flagged; 75 vs 76 is not")
    func flag() {
        #expect(SampleRatioMismatch.check(counts: [40, 80]).flag)
        #expect(!SampleRatioMismatch.check(counts: [75, 76]).flag)
        #expect(!SampleRatioMismatch.check(counts: [30, 120], weights: [1, 4]).flag)
    }
}
