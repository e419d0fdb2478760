#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Beta–binomial comparisons of conversion rates: probability to beat, expected loss, probability to be best.
public enum BayesianProportions {
    /// P(Y > X) for independent X ~ Beta(x.alpha, x.beta) and Y ~ Beta(y.alpha, y.beta).
    ///
    /// Exact: Evan Miller's closed-form sum when one shape is a whole number (always, with integer
    /// counts and a Beta(1, 1) prior); otherwise adaptive Gauss–Kronrod quadrature of f_X(t)·(1 − F_Y(t)).
    /// Agrees with `scipy.integrate.quad` of that integrand to 1e-10.
    /// - Parameters:
    ///   - y: the distribution that should be larger.
    ///   - x: the distribution it is compared with.
    /// - Returns: P(Y > X).
    public static func probabilityGreater(_ y: BetaPrior, than x: BetaPrior) -> Double {
        func isWhole(_ value: Double) -> Bool { value == value.rounded() && value < 1e6 }
        if isWhole(y.alpha) { return millerSum(y: y, x: x) }
        // P(Y > X) = P(1 − X > 1 − Y) with 1 − X ~ Beta(x.beta, x.alpha).
        if isWhole(x.beta) {
            return millerSum(y: BetaPrior(alpha: x.beta, beta: x.alpha), x: BetaPrior(alpha: y.beta, beta: y.alpha))
        }
        return NumericalIntegration.integrate(
            { t in density(x, t) * SpecialFunctions.complementedIncompleteBeta(t, a: y.alpha, b: y.beta) },
            from: 0, to: 1, breakpoints: massBreakpoints(x))
    }

    /// Σ_{i=0}^{αY−1} B(αX + i, βX + βY) / ((βY + i) B(1 + i, βY) B(αX, βX)), for whole αY.
    static func millerSum(y: BetaPrior, x: BetaPrior) -> Double {
        let terms = Int(y.alpha)
        let constant = SpecialFunctions.logBeta(x.alpha, x.beta)
        var sum = 0.0
        for i in 0..<terms {
            let ii = Double(i)
            sum += exp(
                SpecialFunctions.logBeta(x.alpha + ii, x.beta + y.beta) - log(y.beta + ii)
                    - SpecialFunctions.logBeta(1 + ii, y.beta) - constant)
        }
        return min(max(sum, 0), 1)
    }

    /// P(p_arm > p_baseline) under independent Beta posteriors from `prior`.
    ///
    /// Agrees with `scipy.integrate.quad` of the posterior integral to 1e-10.
    /// - Parameters:
    ///   - arm: (successes, trials) of the arm.
    ///   - baseline: (successes, trials) of the baseline.
    ///   - prior: the prior for both rates.
    /// - Returns: the posterior probability that the arm's rate is higher.
    public static func probabilityToBeat(
        arm: (successes: Int, trials: Int), baseline: (successes: Int, trials: Int), prior: BetaPrior = .uniform
    ) -> Double {
        probabilityGreater(
            prior.posterior(successes: arm.successes, trials: arm.trials),
            than: prior.posterior(successes: baseline.successes, trials: baseline.trials))
    }

    /// The expected loss of choosing the arm over the baseline, E[max(p_baseline − p_arm, 0)].
    ///
    /// Closed form E[X]·P(X⁺ > Y) − E[Y]·P(X > Y⁺), where X⁺ and Y⁺ add one to the first shape.
    /// Agrees with `scipy.integrate.quad` of the posterior integral to 1e-10.
    /// - Parameters:
    ///   - arm: (successes, trials) of the arm chosen.
    ///   - baseline: (successes, trials) of the arm given up.
    ///   - prior: the prior for both rates.
    /// - Returns: the expected shortfall in conversion rate (a proportion, not points).
    public static func expectedLoss(
        arm: (successes: Int, trials: Int), baseline: (successes: Int, trials: Int), prior: BetaPrior = .uniform
    ) -> Double {
        let x = prior.posterior(successes: baseline.successes, trials: baseline.trials)
        let y = prior.posterior(successes: arm.successes, trials: arm.trials)
        let meanX = x.alpha / (x.alpha + x.beta)
        let meanY = y.alpha / (y.alpha + y.beta)
        let xPlus = BetaPrior(alpha: x.alpha + 1, beta: x.beta)
        let yPlus = BetaPrior(alpha: y.alpha + 1, beta: y.beta)
        let loss = meanX * probabilityGreater(xPlus, than: y) - meanY * probabilityGreater(x, than: yPlus)
        return max(loss, 0)
    }

    /// P(each arm has the highest rate) under independent Beta posteriors, by quadrature of
    /// f_j(t) · Π_{i≠j} F_i(t).
    ///
    /// Agrees with `scipy.integrate.quad` of the same integral to 1e-9; the probabilities sum to 1 within 1e-9.
    /// - Parameters:
    ///   - arms: (successes, trials) per arm.
    ///   - prior: the prior for every rate.
    /// - Returns: one probability per arm, in the input order.
    public static func probabilityBest(arms: [(successes: Int, trials: Int)], prior: BetaPrior = .uniform) -> [Double] {
        let posteriors = arms.map { prior.posterior(successes: $0.successes, trials: $0.trials) }
        if posteriors.count == 1 { return [1] }
        return posteriors.indices.map { j in
            NumericalIntegration.integrate(
                { t in
                    var value = density(posteriors[j], t)
                    if value == 0 { return 0 }
                    for i in posteriors.indices where i != j {
                        value *= SpecialFunctions.regularizedIncompleteBeta(
                            t, a: posteriors[i].alpha, b: posteriors[i].beta)
                    }
                    return value
                }, from: 0, to: 1, breakpoints: massBreakpoints(posteriors[j]), absoluteTolerance: 1e-13,
                relativeTolerance: 1e-11)
        }
    }

    /// The Beta density at t.
    static func density(_ distribution: BetaPrior, _ t: Double) -> Double {
        if t <= 0 || t >= 1 { return 0 }
        return exp(
            (distribution.alpha - 1) * log(t) + (distribution.beta - 1) * log1p(-t)
                - SpecialFunctions.logBeta(distribution.alpha, distribution.beta))
    }

    /// Points around the bulk of a Beta distribution (mean ± 1, 3, 8 standard deviations) so the quadrature
    /// starts with the mass resolved.
    static func massBreakpoints(_ distribution: BetaPrior) -> [Double] {
        let a = distribution.alpha
        let b = distribution.beta
        let mean = a / (a + b)
        let sd = (a * b / ((a + b) * (a + b) * (a + b + 1))).squareRoot()
        return [-8.0, -3, -1, 0, 1, 3, 8].map { mean + $0 * sd }.filter { $0 > 0 && $0 < 1 }
    }
}
