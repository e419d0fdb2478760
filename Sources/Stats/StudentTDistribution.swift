/// Student's t distribution with a real number of degrees of freedom (as Welch's test needs).
public enum StudentTDistribution {
    /// The distribution function P(T ≤ t) for `degreesOfFreedom` > 0.
    ///
    /// Agrees with `scipy.stats.t.cdf` to 1e-12 relative.
    /// - Parameters:
    ///   - t: the point.
    ///   - degreesOfFreedom: ν > 0 (need not be an integer).
    /// - Returns: P(T ≤ t).
    public static func cdf(_ t: Double, degreesOfFreedom: Double) -> Double {
        sf(-t, degreesOfFreedom: degreesOfFreedom)
    }

    /// The survival function P(T > t), without cancellation in either tail.
    ///
    /// Agrees with `scipy.stats.t.sf` to 1e-12 relative.
    /// - Parameters:
    ///   - t: the point.
    ///   - degreesOfFreedom: ν > 0 (need not be an integer).
    /// - Returns: P(T > t).
    public static func sf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        if t.isNaN || nu.isNaN || nu <= 0 { return .nan }
        if t == .infinity { return 0 }
        if t == -.infinity { return 1 }
        // P(|T| > |t|) = I_{ν/(ν+t²)}(ν/2, ½); x and 1 − x are formed separately to keep their digits.
        let tt = t * t
        let x = nu / (nu + tt)
        let y = tt / (nu + tt)
        let twoTailed = SpecialFunctions.incompleteBeta(x: x, y: y, a: nu / 2, b: 0.5)
        let tail = 0.5 * twoTailed.lower
        return t > 0 ? tail : 1 - tail
    }
}
