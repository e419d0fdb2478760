/// Percentile bootstrap intervals, with a seeded generator so the same data always give the same interval.
public enum BootstrapInterval {
    /// The percentile bootstrap interval at level 1 − alpha for mean(x) − mean(y).
    ///
    /// Each resample draws nx values from x and ny from y with replacement (SplitMix64 from `seed`);
    /// the bounds are the alpha/2 and 1 − alpha/2 quantiles of the resampled differences with linear
    /// interpolation (numpy's default). No golden numbers: tested for determinism, containment of the
    /// observed difference and shrinking width.
    /// - Parameters:
    ///   - x: the first sample (e.g. treatment revenue per deal).
    ///   - y: the second sample.
    ///   - alpha: one minus the level.
    ///   - resamples: the number of bootstrap resamples.
    ///   - seed: the generator's seed.
    /// - Returns: the interval; undefined when a sample is empty.
    public static func meanDifference(
        _ x: [Double], _ y: [Double], alpha: Double = 0.05, resamples: Int = 10_000, seed: UInt64 = 0x5EED_CAFE
    ) -> Interval {
        guard !x.isEmpty, !y.isEmpty, resamples > 1 else { return .undefined }
        var generator = SplitMix64(seed: seed)
        var differences = [Double](repeating: 0, count: resamples)
        for index in 0..<resamples {
            var sumX = 0.0
            for _ in 0..<x.count { sumX += x[generator.nextIndex(below: x.count)] }
            var sumY = 0.0
            for _ in 0..<y.count { sumY += y[generator.nextIndex(below: y.count)] }
            differences[index] = sumX / Double(x.count) - sumY / Double(y.count)
        }
        differences.sort()
        return Interval(lower: quantile(differences, alpha / 2), upper: quantile(differences, 1 - alpha / 2))
    }

    /// The q-quantile of sorted values with linear interpolation between order statistics.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + (sorted[above] - sorted[below]) * fraction
    }
}
