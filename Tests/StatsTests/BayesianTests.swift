import Testing

@testable import Stats

/// Posterior probability to beat, expected loss and probability to be best, against scipy quadrature.
@Suite("Bayesian comparisons agree with scipy.integrate.quad")
struct BayesianTests {
    let fixture = GoldenFixture.shared

    @Test("P(p1 > p2) and E[max(p2 − p1, 0)] with Beta(1, 1) priors agree to 1e-8 on every table")
    func uniformPrior() {
        for table in fixture.tables {
            let probability = BayesianProportions.probabilityToBeat(
                arm: (table.x1, table.n1), baseline: (table.x2, table.n2))
            let loss = BayesianProportions.expectedLoss(arm: (table.x1, table.n1), baseline: (table.x2, table.n2))
            #expect(Tolerance.close(probability, table.prob1Beats2, relative: 1e-8, absolute: 1e-12), "\(table): \(probability)")
            #expect(Tolerance.close(loss, table.expectedLossChoosing1, relative: 1e-8, absolute: 1e-12), "\(table): \(loss)")
        }
    }

    @Test("other priors (non-integer shapes use quadrature) agree to 1e-8")
    func otherPriors() {
        for item in fixture.bayesPriors {
            let prior = BetaPrior(alpha: item.prior[0], beta: item.prior[1])
            let probability = BayesianProportions.probabilityToBeat(
                arm: (item.x1, item.n1), baseline: (item.x2, item.n2), prior: prior)
            let loss = BayesianProportions.expectedLoss(arm: (item.x1, item.n1), baseline: (item.x2, item.n2), prior: prior)
            #expect(
                Tolerance.close(probability, item.prob1Beats2, relative: 1e-8, absolute: 1e-12), "\(item.prior): \(probability)")
            #expect(Tolerance.close(loss, item.expectedLossChoosing1, relative: 1e-8, absolute: 1e-12), "\(item.prior): \(loss)")
        }
    }

    @Test("P(best) for three and four arms agrees with quadrature to 1e-8 and sums to 1")
    func probabilityBest() {
        for item in fixture.multiArm {
            let probabilities = BayesianProportions.probabilityBest(arms: Array(zip(item.successes, item.trials)))
            #expect(probabilities.count == item.trials.count)
            for (value, expected) in zip(probabilities, item.probBest) {
                #expect(Tolerance.close(value, expected, relative: 1e-8, absolute: 1e-11), "\(item.successes)/\(item.trials)")
            }
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-9)
        }
    }

    @Test("the two probabilities to beat are complementary and identical arms are a coin flip")
    func symmetry() {
        let forward = BayesianProportions.probabilityToBeat(arm: (24, 65), baseline: (12, 60))
        let backward = BayesianProportions.probabilityToBeat(arm: (12, 60), baseline: (24, 65))
        #expect(abs(forward + backward - 1) < 1e-12)
        #expect(abs(BayesianProportions.probabilityToBeat(arm: (7, 30), baseline: (7, 30)) - 0.5) < 1e-12)
    }
}
