import Testing

@testable import Stats

/// Properties every result must have, checked over all golden tables.
@Suite("Properties over all tables")
struct PropertyTests {
    let tables = GoldenFixture.shared.tables

    @Test("every p-value lies in [0, 1]")
    func pValuesInRange() {
        for table in tables {
            let (x1, n1, x2, n2) = (table.x1, table.n1, table.x2, table.n2)
            var values: [Double] = []
            for alternative in TestAlternative.allCases {
                values.append(
                    FisherExactTest.pValue(successes1: x1, trials1: n1, successes2: x2, trials2: n2, alternative: alternative))
                values.append(
                    BoschlooExactTest.test(successes1: x1, trials1: n1, successes2: x2, trials2: n2, alternative: alternative)
                        .pValue)
            }
            values.append(ProportionZTest.unpooled(successes1: x1, trials1: n1, successes2: x2, trials2: n2).pValue)
            values.append(ProportionZTest.pooled(successes1: x1, trials1: n1, successes2: x2, trials2: n2).pValue)
            for value in values where !value.isNaN { #expect(value >= 0 && value <= 1, "\(table): \(value)") }
        }
    }

    @Test("intervals contain their estimates")
    func intervalsContainEstimates() {
        for table in tables {
            let (x1, n1, x2, n2) = (table.x1, table.n1, table.x2, table.n2)
            let p1 = Double(x1) / Double(n1)
            let p2 = Double(x2) / Double(n2)
            #expect(ProportionInterval.wilson(successes: x1, trials: n1).contains(p1, tolerance: 1e-12))
            #expect(ProportionInterval.clopperPearson(successes: x1, trials: n1).contains(p1, tolerance: 1e-12))
            let difference = TwoProportionInterval.newcombeDifference(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
            #expect(difference.contains(p1 - p2, tolerance: 1e-12), "\(table): \(difference)")
            if x1 > 0 && x2 > 0 {
                let ratio = TwoProportionInterval.riskRatio(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
                #expect(ratio.contains(p1 / p2, tolerance: 1e-12), "\(table): \(ratio)")
            }
        }
    }

    @Test("swapping the arms mirrors every result")
    func swapMirrors() {
        for table in tables {
            let (x1, n1, x2, n2) = (table.x1, table.n1, table.x2, table.n2)
            let fisher = FisherExactTest.pValue(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
            let fisherSwapped = FisherExactTest.pValue(successes1: x2, trials1: n2, successes2: x1, trials2: n1)
            #expect(Tolerance.close(fisherSwapped, fisher, relative: 1e-12))
            let less = BoschlooExactTest.test(successes1: x1, trials1: n1, successes2: x2, trials2: n2, alternative: .less)
            let greaterSwapped = BoschlooExactTest.test(
                successes1: x2, trials1: n2, successes2: x1, trials2: n1, alternative: .greater)
            // Same mathematics, different rounding paths: equal to 1e-12.
            #expect(Tolerance.close(less.pValue, greaterSwapped.pValue, relative: 1e-12, absolute: 1e-300), "\(table)")
            let two = BoschlooExactTest.pValue(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
            let twoSwapped = BoschlooExactTest.pValue(successes1: x2, trials1: n2, successes2: x1, trials2: n1)
            #expect(Tolerance.close(two, twoSwapped, relative: 1e-12, absolute: 1e-300), "\(table)")
            let z = ProportionZTest.pooled(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
            let zSwapped = ProportionZTest.pooled(successes1: x2, trials1: n2, successes2: x1, trials2: n1)
            #expect(z.statistic.isNaN || z.statistic == -zSwapped.statistic)
            let difference = TwoProportionInterval.newcombeDifference(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
            let swapped = TwoProportionInterval.newcombeDifference(successes1: x2, trials1: n2, successes2: x1, trials2: n1)
            #expect(abs(difference.lower + swapped.upper) < 1e-12 && abs(difference.upper + swapped.lower) < 1e-12)
            let beat = BayesianProportions.probabilityToBeat(arm: (x1, n1), baseline: (x2, n2))
            let beatSwapped = BayesianProportions.probabilityToBeat(arm: (x2, n2), baseline: (x1, n1))
            #expect(abs(beat + beatSwapped - 1) < 1e-10)
        }
    }

    @Test("one-sided Boschloo is never larger than one-sided Fisher (it is uniformly more powerful)")
    func boschlooBeatsFisherOneSided() {
        for table in tables {
            for alternative in [TestAlternative.less, .greater] {
                let boschloo = BoschlooExactTest.test(
                    successes1: table.x1, trials1: table.n1, successes2: table.x2, trials2: table.n2, alternative: alternative)
                let fisher = FisherExactTest.pValue(
                    successes1: table.x1, trials1: table.n1, successes2: table.x2, trials2: table.n2, alternative: alternative)
                #expect(boschloo.pValue <= fisher * (1 + 1e-9), "\(table) \(alternative)")
            }
        }
    }
}
