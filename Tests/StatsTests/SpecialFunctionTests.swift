import Testing

@testable import Stats

/// Special functions against scipy.special / scipy.stats (~1e-12 relative).
@Suite("Special functions agree with scipy")
struct SpecialFunctionTests {
    let golden = GoldenFixture.shared.special

    @Test("log-gamma agrees with scipy.special.gammaln to 1e-14 relative")
    func logGamma() {
        #expect(golden.gammaln.count >= 30)
        for point in golden.gammaln {
            let value = SpecialFunctions.logGamma(point.x)
            #expect(Tolerance.close(value, point.y, relative: 1e-14, absolute: 1e-14), "gammaln(\(point.x)) = \(value)")
        }
    }

    @Test("log-beta agrees with scipy.special.betaln to 1e-13 relative")
    func logBeta() {
        for point in golden.betaln {
            let value = SpecialFunctions.logBeta(point.a, point.b)
            #expect(
                Tolerance.close(value, point.y, relative: 1e-13, absolute: 1e-14), "betaln(\(point.a), \(point.b)) = \(value)")
        }
    }

    @Test("regularized incomplete beta and its complement agree with scipy to 1e-12 relative")
    func incompleteBeta() {
        #expect(golden.betainc.count > 200)
        for point in golden.betainc {
            let lower = SpecialFunctions.regularizedIncompleteBeta(point.x, a: point.a, b: point.b)
            let upper = SpecialFunctions.complementedIncompleteBeta(point.x, a: point.a, b: point.b)
            // Values below 1e-290 are at the edge of double precision in scipy too.
            #expect(
                Tolerance.close(lower, point.lower, relative: 1e-12, absolute: 1e-290),
                "betainc(\(point.a), \(point.b), \(point.x)) = \(lower), scipy \(point.lower ?? .nan)")
            #expect(
                Tolerance.close(upper, point.upper, relative: 1e-12, absolute: 1e-290),
                "betaincc(\(point.a), \(point.b), \(point.x)) = \(upper), scipy \(point.upper ?? .nan)")
        }
    }

    @Test("regularized incomplete gamma agrees with scipy.special.gammainc/gammaincc to 1e-12 relative")
    func incompleteGamma() {
        for point in golden.gammainc {
            let lower = SpecialFunctions.regularizedLowerIncompleteGamma(point.a, point.x)
            let upper = SpecialFunctions.regularizedUpperIncompleteGamma(point.a, point.x)
            #expect(
                Tolerance.close(lower, point.lower, relative: 1e-12, absolute: 1e-300), "P(\(point.a), \(point.x)) = \(lower)")
            #expect(
                Tolerance.close(upper, point.upper, relative: 1e-12, absolute: 1e-300), "Q(\(point.a), \(point.x)) = \(upper)")
        }
    }

    @Test("normal distribution function, survival and quantile agree with scipy to 1e-13 relative")
    func normal() {
        for point in golden.ndtr {
            // scipy flushes Φ(−38) ≈ 2.9e-316 (subnormal) to 0.
            let cdf = NormalDistribution.cdf(point.x)
            let sf = NormalDistribution.sf(point.x)
            #expect(Tolerance.close(cdf, point.cdf, relative: 1e-13, absolute: 1e-300), "ndtr(\(point.x)) = \(cdf)")
            #expect(Tolerance.close(sf, point.sf, relative: 1e-13, absolute: 1e-300), "sf(\(point.x)) = \(sf)")
        }
        // Values far in the tail, to 17 digits (mpmath at 40 digits).
        #expect(Tolerance.close(NormalDistribution.cdf(-20), 2.7536241186062337e-89, relative: 1e-15))
        #expect(Tolerance.close(NormalDistribution.cdf(-10), 7.619853024160525e-24, relative: 1e-15))
        #expect(Tolerance.close(NormalDistribution.sf(8), 6.220960574271784e-16, relative: 1e-15))
        for point in golden.ndtri {
            #expect(
                Tolerance.close(NormalDistribution.quantile(point.p), point.x, relative: 1e-14, absolute: 1e-15),
                "ndtri(\(point.p)) = \(NormalDistribution.quantile(point.p))")
        }
    }

    @Test("chi-square and Student t distribution functions agree with scipy.stats to 1e-12 relative")
    func chiSquareAndT() {
        for point in golden.chi2 {
            #expect(Tolerance.close(ChiSquareDistribution.cdf(point.x, degreesOfFreedom: point.k), point.cdf, relative: 1e-12))
            #expect(Tolerance.close(ChiSquareDistribution.sf(point.x, degreesOfFreedom: point.k), point.sf, relative: 1e-12))
        }
        for point in golden.t {
            let cdf = StudentTDistribution.cdf(point.t, degreesOfFreedom: point.df)
            let sf = StudentTDistribution.sf(point.t, degreesOfFreedom: point.df)
            #expect(Tolerance.close(cdf, point.cdf, relative: 1e-12), "t.cdf(\(point.t), \(point.df)) = \(cdf)")
            #expect(Tolerance.close(sf, point.sf, relative: 1e-12), "t.sf(\(point.t), \(point.df)) = \(sf)")
        }
    }

    @Test("Beta quantiles agree with scipy.stats.beta.ppf/isf to 1e-12 relative")
    func betaQuantiles() {
        for point in golden.betaQuantiles {
            let ppf = SpecialFunctions.inverseRegularizedIncompleteBeta(point.p, a: point.a, b: point.b)
            let isf = SpecialFunctions.inverseRegularizedIncompleteBeta(point.p, a: point.a, b: point.b, upper: true)
            #expect(
                Tolerance.close(ppf, point.ppf, relative: 1e-12, absolute: 1e-300),
                "ppf(\(point.p), \(point.a), \(point.b)) = \(ppf)")
            #expect(
                Tolerance.close(isf, point.isf, relative: 1e-12, absolute: 1e-300),
                "isf(\(point.p), \(point.a), \(point.b)) = \(isf)")
        }
    }
}
