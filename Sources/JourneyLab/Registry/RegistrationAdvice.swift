import Foundation

/// What a plan can detect, shown at `hypothesis register` so the marketer sees what 100–150 deals cannot show.
public enum RegistrationAdvice {
    /// The smallest absolute lift over `baseline` that the target can detect with the given power, by the
    /// normal approximation on Cohen's h (arcsine transform), two-sided.
    ///
    /// The deals are split by the weights; the comparison is the control (first weight) against the smallest
    /// treatment arm, at alpha / (arms − 1) when there are several treatments (Bonferroni, as Holm's first step).
    /// For 150 deals split 1:1 on a 20% baseline at alpha 0.05 and power 0.8 it is about 0.206 (20.6 points).
    /// - Returns: the lift in (0, 1 − baseline], or `.infinity` when no rate up to 100% is detectable.
    // TODO(stats): use Stats
    public static func detectableLift(baseline: Double, targetDeals: Int, weights: [Int], alpha: Double, power: Double) -> Double
    {
        guard weights.count >= 2, baseline > 0, baseline < 1, targetDeals > 0 else { return .infinity }
        let total = Double(weights.reduce(0, +))
        let control = Double(targetDeals) * Double(weights[0]) / total
        let treatment = Double(targetDeals) * Double(weights.dropFirst().min() ?? weights[1]) / total
        guard control > 0, treatment > 0 else { return .infinity }
        let comparisons = Double(weights.count - 1)
        let z = inverseNormal(1 - alpha / comparisons / 2) + inverseNormal(power)
        let h = z * (1 / control + 1 / treatment).squareRoot()
        let angle = asin(baseline.squareRoot()) + h / 2
        guard angle < Double.pi / 2 else { return .infinity }
        let rate = pow(sin(angle), 2)
        return rate - baseline
    }

    /// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
    static func inverseNormal(_ p: Double) -> Double {
        precondition(p > 0 && p < 1)
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -inverseNormal(1 - p) }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }

    /// A warning when the plan's MDE is below what its target can detect, else nil.
    public static func warning(for plan: Hypothesis.Plan) -> String? {
        guard let baseline = plan.baselineRate, let mde = plan.mde else { return nil }
        let detectable = detectableLift(
            baseline: baseline, targetDeals: plan.targetDeals, weights: plan.arms.map(\.weight), alpha: plan.alpha,
            power: plan.power)
        guard mde < detectable else { return nil }
        let what = detectable.isFinite ? "only lifts of \(points(detectable)) or more" : "no lift at all"
        return "warning: with \(plan.targetDeals) deals the test can detect \(what) at power \(plan.power) "
            + "(baseline \(points(baseline, sign: false))); the expected lift \(points(mde)) would likely be missed — "
            + "plan more deals (`journeylab plan --baseline \(baseline) --mde \(mde)`) or accept the lower power"
    }

    /// `+20.6 pp` / `20%`.
    static func points(_ value: Double, sign: Bool = true) -> String {
        sign ? String(format: "+%.1f pp", value * 100) : String(format: "%.0f%%", value * 100)
    }
}
