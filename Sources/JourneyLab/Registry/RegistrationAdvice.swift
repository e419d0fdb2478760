import Foundation
import Stats

/// What a plan can detect, shown at `hypothesis register` so the marketer sees what 100–150 deals cannot show.
public enum RegistrationAdvice {
    /// The smallest absolute lift over `baseline` that the target can detect with the given power, by the
    /// normal approximation on Cohen's h (arcsine transform), two-sided.
    ///
    /// The deals are split by the weights; the comparison is the control (first weight) against the smallest
    /// treatment arm, at alpha / (arms − 1) when there are several treatments (Bonferroni, as Holm's first step).
    /// For 150 deals split 1:1 on a 20% baseline at alpha 0.05 and power 0.8 it is about 0.206 (20.6 points).
    /// - Returns: the lift in (0, 1 − baseline], or `.infinity` when no rate up to 100% is detectable.
    public static func detectableLift(baseline: Double, targetDeals: Int, weights: [Int], alpha: Double, power: Double) -> Double
    {
        guard weights.count >= 2, baseline > 0, baseline < 1, targetDeals > 0 else { return .infinity }
        let total = Double(weights.reduce(0, +))
        let control = Double(targetDeals) * Double(weights[0]) / total
        let treatment = Double(targetDeals) * Double(weights.dropFirst().min() ?? weights[1]) / total
        guard control > 0, treatment > 0 else { return .infinity }
        let comparisons = Double(weights.count - 1)
        return NormalApproximationPower.minimumDetectableLift(
            baseline: baseline, nobs1: control, ratio: treatment / control, alpha: alpha / comparisons, power: power
        ) ?? .infinity
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
            + "plan more deals (`\(planCommand(plan, baseline: baseline, mde: mde))`) or accept the lower power"
    }

    /// The `journeylab plan` call that answers "how many deals then?" for this plan: its weights, alpha and
    /// power wherever they differ from `plan`'s defaults, so the deals it prints are the ones this plan needs.
    static func planCommand(_ plan: Hypothesis.Plan, baseline: Double, mde: Double) -> String {
        var command = "journeylab plan --baseline \(baseline) --mde \(mde)"
        let weights = plan.arms.map(\.weight)
        if weights != [1, 1] { command += " --weights " + weights.map(String.init).joined(separator: ",") }
        if plan.alpha != 0.05 { command += " --alpha \(plan.alpha)" }
        if plan.power != 0.8 { command += " --power \(plan.power)" }
        return command
    }

    /// `+20.6 pp` / `20%`.
    static func points(_ value: Double, sign: Bool = true) -> String {
        sign ? String(format: "+%.1f pp", value * 100) : String(format: "%.0f%%", value * 100)
    }
}
