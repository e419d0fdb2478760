/// The Cochran–Mantel–Haenszel test of conditional independence across strata of 2×2 tables, and the
/// Mantel–Haenszel common odds ratio: the stratified analysis (one stratum per dealer) beside the pooled one.
///
/// Agrees with statsmodels `StratifiedTable(tables).test_null_odds(correction=True)` (statistic and p-value)
/// and `.oddsratio_pooled` to 1e-9 relative.
public enum CochranMantelHaenszel {
    /// One stratum: conversions and deals of the treatment and of the control.
    public struct Stratum: Sendable, Hashable, Codable {
        public var treatmentConversions: Int
        public var treatmentDeals: Int
        public var controlConversions: Int
        public var controlDeals: Int

        public init(treatmentConversions: Int, treatmentDeals: Int, controlConversions: Int, controlDeals: Int) {
            self.treatmentConversions = treatmentConversions
            self.treatmentDeals = treatmentDeals
            self.controlConversions = controlConversions
            self.controlDeals = controlDeals
        }
    }

    public struct Result: Sendable, Hashable, Codable {
        public var statistic: Double
        public var pValue: Double
        /// Mantel–Haenszel common odds ratio (treatment vs control); nil when undefined (no discordant data).
        public var commonOddsRatio: Double?
        /// Strata that carried information (both arms present).
        public var strataUsed: Int

        enum CodingKeys: String, CodingKey {
            case statistic, pValue = "p_value", commonOddsRatio = "common_odds_ratio", strataUsed = "strata_used"
        }
    }

    /// - Returns: nil when no stratum has deals in both arms (the test is undefined).
    public static func test(_ strata: [Stratum], continuityCorrection: Bool = true) -> Result? {
        var sumA = 0.0, sumExpected = 0.0, sumVariance = 0.0, numerator = 0.0, denominator = 0.0
        var used = 0
        for stratum in strata {
            // Table: rows = treatment, control; columns = converted, not converted.
            let a = Double(stratum.treatmentConversions)
            let b = Double(stratum.treatmentDeals - stratum.treatmentConversions)
            let c = Double(stratum.controlConversions)
            let d = Double(stratum.controlDeals - stratum.controlConversions)
            let n = a + b + c + d
            guard stratum.treatmentDeals > 0, stratum.controlDeals > 0, n > 1 else { continue }
            used += 1
            let row1 = a + b, row2 = c + d, column1 = a + c, column2 = b + d
            sumA += a
            sumExpected += row1 * column1 / n
            sumVariance += row1 * row2 * column1 * column2 / (n * n * (n - 1))
            numerator += a * d / n
            denominator += b * c / n
        }
        guard used > 0, sumVariance > 0 else { return nil }
        // statsmodels subtracts the 0.5 correction without clamping at zero (R's mantelhaen.test skips it
        // when the deviation is below 0.5); we follow statsmodels, the reference the tests check against.
        var deviation = abs(sumA - sumExpected)
        if continuityCorrection { deviation -= 0.5 }
        let statistic = deviation * deviation / sumVariance
        return Result(
            statistic: statistic, pValue: ChiSquareDistribution.sf(statistic, degreesOfFreedom: 1),
            commonOddsRatio: denominator > 0 ? numerator / denominator : nil, strataUsed: used)
    }
}
