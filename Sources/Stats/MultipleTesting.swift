/// Adjusted p-values for a family of tests.
public enum MultipleTesting {
    /// Holm's step-down adjusted p-values, in the input order.
    ///
    /// Agrees exactly (same floating-point operations) with statsmodels `multipletests(p, method="holm")[1]`.
    /// - Parameter pValues: the unadjusted p-values.
    /// - Returns: the adjusted p-values, each in [0, 1].
    public static func holm(_ pValues: [Double]) -> [Double] {
        let count = pValues.count
        let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var adjusted = [Double](repeating: 0, count: count)
        var running = -Double.infinity
        for (rank, index) in order.enumerated() {
            running = max(running, pValues[index] * Double(count - rank))
            adjusted[index] = min(running, 1)
        }
        return adjusted
    }

    /// Benjamini–Hochberg step-up adjusted p-values (false discovery rate), in the input order.
    ///
    /// Agrees exactly (same floating-point operations) with statsmodels `multipletests(p, method="fdr_bh")[1]`.
    /// - Parameter pValues: the unadjusted p-values.
    /// - Returns: the adjusted p-values, each in [0, 1].
    public static func benjaminiHochberg(_ pValues: [Double]) -> [Double] {
        let count = pValues.count
        let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var adjusted = [Double](repeating: 0, count: count)
        var running = Double.infinity
        for rank in stride(from: count - 1, through: 0, by: -1) {
            let index = order[rank]
            let fraction = Double(rank + 1) / Double(count)
            running = min(running, pValues[index] / fraction)
            adjusted[index] = min(running, 1)
        }
        return adjusted
    }
}
