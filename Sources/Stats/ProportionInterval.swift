/// Confidence intervals for one binomial proportion.
public enum ProportionInterval {
    /// The Wilson score interval at level 1 − alpha, clipped to [0, 1]; undefined when `trials` is 0.
    ///
    /// Agrees with statsmodels `proportion_confint(method="wilson")` to 1e-12 absolute.
    /// - Parameters:
    ///   - successes: the number of successes, 0…trials.
    ///   - trials: the number of trials.
    ///   - alpha: one minus the confidence level, in (0, 1).
    /// - Returns: the interval.
    public static func wilson(successes: Int, trials: Int, alpha: Double = 0.05) -> Interval {
        guard trials > 0 else { return .undefined }
        let n = Double(trials)
        let q = Double(successes) / n
        let crit = NormalDistribution.quantile(1 - alpha / 2)
        let crit2 = crit * crit
        let denominator = 1 + crit2 / n
        let center = (q + crit2 / (2 * n)) / denominator
        let halfWidth = crit * (q * (1 - q) / n + crit2 / (4 * n * n)).squareRoot() / denominator
        return Interval(lower: min(max(center - halfWidth, 0), 1), upper: min(max(center + halfWidth, 0), 1))
    }

    /// The Clopper–Pearson ("exact") interval at level 1 − alpha from Beta quantiles.
    ///
    /// Agrees with statsmodels `proportion_confint(method="beta")` to 1e-12 relative.
    /// - Parameters:
    ///   - successes: the number of successes, 0…trials.
    ///   - trials: the number of trials.
    ///   - alpha: one minus the confidence level, in (0, 1).
    /// - Returns: the interval.
    public static func clopperPearson(successes: Int, trials: Int, alpha: Double = 0.05) -> Interval {
        guard trials > 0 else { return .undefined }
        let x = Double(successes)
        let n = Double(trials)
        let lower =
            successes == 0 ? 0 : SpecialFunctions.inverseRegularizedIncompleteBeta(alpha / 2, a: x, b: n - x + 1)
        let upper =
            successes == trials
            ? 1 : SpecialFunctions.inverseRegularizedIncompleteBeta(alpha / 2, a: x + 1, b: n - x, upper: true)
        return Interval(lower: lower, upper: upper)
    }
}
