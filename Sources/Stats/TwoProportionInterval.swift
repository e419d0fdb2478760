#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Confidence intervals comparing two independent binomial proportions, sample 1 against sample 2.
public enum TwoProportionInterval {
    /// Newcombe's hybrid score interval for the difference p1 − p2 (his method 10), from two Wilson intervals.
    ///
    /// Agrees with statsmodels `confint_proportions_2indep(method="newcomb", compare="diff")` to 1e-12 absolute.
    /// - Parameters:
    ///   - successes1: successes in sample 1.
    ///   - trials1: trials in sample 1.
    ///   - successes2: successes in sample 2.
    ///   - trials2: trials in sample 2.
    ///   - alpha: one minus the confidence level.
    /// - Returns: the interval for p1 − p2; undefined when either sample is empty.
    public static func newcombeDifference(
        successes1: Int, trials1: Int, successes2: Int, trials2: Int, alpha: Double = 0.05
    ) -> Interval {
        guard trials1 > 0, trials2 > 0 else { return .undefined }
        let p1 = Double(successes1) / Double(trials1)
        let p2 = Double(successes2) / Double(trials2)
        let wilson1 = ProportionInterval.wilson(successes: successes1, trials: trials1, alpha: alpha)
        let wilson2 = ProportionInterval.wilson(successes: successes2, trials: trials2, alpha: alpha)
        let lowerDistance = ((p1 - wilson1.lower) * (p1 - wilson1.lower) + (wilson2.upper - p2) * (wilson2.upper - p2))
            .squareRoot()
        let upperDistance = ((p2 - wilson2.lower) * (p2 - wilson2.lower) + (wilson1.upper - p1) * (wilson1.upper - p1))
            .squareRoot()
        let difference = p1 - p2
        return Interval(lower: difference - lowerDistance, upper: difference + upperDistance)
    }

    /// Katz's log interval for the risk ratio p1 / p2; with `adjusted`, 0.5 is added to each count and
    /// each number of trials first (which keeps the interval finite when a count is 0).
    ///
    /// Agrees with statsmodels `confint_proportions_2indep(compare="ratio", method="log")` and
    /// `method="log-adjusted"` to 1e-12 relative.
    /// - Parameters:
    ///   - successes1: successes in sample 1.
    ///   - trials1: trials in sample 1.
    ///   - successes2: successes in sample 2.
    ///   - trials2: trials in sample 2.
    ///   - alpha: one minus the confidence level.
    ///   - adjusted: add 0.5 to counts and trials (statsmodels "log-adjusted").
    /// - Returns: the interval for p1 / p2.
    public static func katzLogRatio(
        successes1: Int, trials1: Int, successes2: Int, trials2: Int, alpha: Double = 0.05, adjusted: Bool = false
    ) -> Interval {
        guard trials1 > 0, trials2 > 0 else { return .undefined }
        let half = adjusted ? 0.5 : 0
        let count1 = Double(successes1) + half
        let count2 = Double(successes2) + half
        let nobs1 = Double(trials1) + half
        let nobs2 = Double(trials2) + half
        let ratio = (count1 / nobs1) / (count2 / nobs2)
        let variance = 1 / count1 - 1 / nobs1 + 1 / count2 - 1 / nobs2
        let halfWidth = NormalDistribution.quantile(1 - alpha / 2) * variance.squareRoot()
        return Interval(lower: exp(log(ratio) - halfWidth), upper: exp(log(ratio) + halfWidth))
    }

    /// The risk-ratio interval the report uses: Katz log, 0.5-adjusted when either count is 0.
    ///
    /// Agrees with statsmodels `compare="ratio"`, `method="log"` (or `"log-adjusted"` when a count is 0) to 1e-12 relative.
    /// - Parameters:
    ///   - successes1: successes in sample 1.
    ///   - trials1: trials in sample 1.
    ///   - successes2: successes in sample 2.
    ///   - trials2: trials in sample 2.
    ///   - alpha: one minus the confidence level.
    /// - Returns: the interval for p1 / p2.
    public static func riskRatio(
        successes1: Int, trials1: Int, successes2: Int, trials2: Int, alpha: Double = 0.05
    ) -> Interval {
        katzLogRatio(
            successes1: successes1, trials1: trials1, successes2: successes2, trials2: trials2, alpha: alpha,
            adjusted: successes1 == 0 || successes2 == 0)
    }
}
