/// How many of a total number of deals each arm gets under allocation weights.
public struct DealSplit: Sendable, Hashable, Codable {
    /// Deals per arm, in the weights' order; they add up to the total.
    public let deals: [Int]

    /// Splits `total` deals in proportion to `weights`, by largest remainders (so the parts add up exactly).
    /// - Parameters:
    ///   - total: the total number of deals.
    ///   - weights: positive allocation weights, one per arm.
    public init(total: Int, weights: [Double]) {
        let sum = weights.reduce(0, +)
        let exact = weights.map { Double(total) * $0 / sum }
        var parts = exact.map { Int($0.rounded(.down)) }
        var left = total - parts.reduce(0, +)
        let order = exact.indices.sorted { (exact[$0] - Double(parts[$0]), -$0) > (exact[$1] - Double(parts[$1]), -$1) }
        var index = 0
        while left > 0 {
            parts[order[index % order.count]] += 1
            left -= 1
            index += 1
        }
        deals = parts
    }

    /// The total number of deals.
    public var total: Int { deals.reduce(0, +) }
}
