/// The ranges planning and analysis inputs must stay within, so every count they produce fits in an `Int`
/// and every search ends: lifts of at least 0.1 points (smaller ones need millions of deals) and allocation
/// weights from 0.01 to 1,000, within a factor of 1,000 of each other.
public enum PlanningLimits {
    /// The smallest lift (absolute) a plan or an analysis may be asked about.
    public static let smallestLift = 0.001
    /// The largest ratio between two allocation weights.
    public static let largestWeightRatio = 1000.0

    /// - Throws: `StatsError.invalidParameter` naming the bound.
    static func checkLift(_ lift: Double) throws {
        guard lift >= smallestLift else {
            throw StatsError(
                .invalidParameter,
                "the MDE must be at least \(smallestLift) (0.1 points; got \(lift)): smaller lifts need millions of deals")
        }
    }

    /// Significance levels a hypothesis may plan (`hypothesis register`), and so `plan` and `analyze` take: a
    /// two-sided level above one half is not a test anyone would act on.
    public static func allowsAlpha(_ alpha: Double) -> Bool { alpha > 0 && alpha <= 0.5 }

    /// Powers a hypothesis may plan: at most a coin flip's chance of seeing a real lift is no plan.
    public static func allowsPower(_ power: Double) -> Bool { power > 0.5 && power < 1 }

    /// - Throws: `StatsError.invalidParameter` naming the range of `allowsAlpha`.
    public static func checkAlpha(_ alpha: Double) throws {
        guard allowsAlpha(alpha) else {
            throw StatsError(.invalidParameter, "alpha must be in (0, 0.5], as a hypothesis may plan (got \(alpha)); use e.g. 0.05")
        }
    }

    /// - Throws: `StatsError.invalidParameter` naming the range of `allowsPower`.
    public static func checkPower(_ power: Double) throws {
        guard allowsPower(power) else {
            throw StatsError(.invalidParameter, "power must be in (0.5, 1), as a hypothesis may plan (got \(power)); use e.g. 0.8")
        }
    }

    /// The range of one allocation weight (printed with two decimals).
    public static let weightRange = 0.01...1000.0

    /// - Throws: `StatsError.invalidParameter` naming the bound.
    static func checkWeights(_ weights: [Double]) throws {
        guard let low = weights.min(), let high = weights.max(), weightRange.contains(low), weightRange.contains(high),
            high / low <= largestWeightRatio
        else {
            throw StatsError(
                .invalidParameter,
                "each weight must be between 0.01 and 1000, within a factor of \(Int(largestWeightRatio)) of the others (got \(weights)); e.g. 1,1 or 1,4"
            )
        }
    }

    /// `value` rounded up as a count, or nil when it is not finite or beyond any plausible number of deals.
    static func countRoundedUp(_ value: Double) -> Int? {
        value.isFinite && value >= 0 && value < 1e12 ? Int(value.rounded(.up)) : nil
    }
}
