import Crypto
import Foundation

/// The stateless `hash` method, and the deterministic tie-break of exclusion groups.
public enum HashAssignment {
    /// The arm index of `dealID` under the hash method.
    ///
    /// `u` = the first 8 bytes, big-endian, of `SHA-256(UTF-8("\(hypothesisKey):\(seed)") ‖ 0x00 ‖ UTF-8(dealID))`
    /// (the salt is the hypothesis key and the plan's seed); the point `⌊u · S / 2^64⌋` in `0..<S` (S = the
    /// weights' sum) falls in arm `i` when it is below the cumulative weight of arms `0…i`.
    /// - Parameters:
    ///   - dealID: the deal.
    ///   - hypothesisKey: the hypothesis (part of the salt, so hypotheses split independently).
    ///   - seed: the plan's seed.
    ///   - weights: positive arm weights in plan order.
    /// - Returns: the arm's index in plan order.
    public static func armIndex(dealID: String, hypothesisKey: String, seed: Int64, weights: [Int]) -> Int {
        let material = Array("\(hypothesisKey):\(seed)".utf8) + [0] + Array(dealID.utf8)
        let u = RandomizationStream.leadingUInt64(SHA256.hash(data: material))
        let total = UInt64(weights.reduce(0, +))
        let point = Int(u.multipliedFullWidth(by: total).high)
        var cumulative = 0
        for (index, weight) in weights.enumerated() {
            cumulative += weight
            if point < cumulative { return index }
        }
        return weights.count - 1
    }

    /// The tie-break rank of a hypothesis for a deal in an exclusion group: lower wins.
    ///
    /// First 8 bytes, big-endian, of `SHA-256(UTF-8(dealID) ‖ 0x00 ‖ UTF-8(hypothesisKey))`.
    public static func exclusionRank(dealID: String, hypothesisKey: String) -> UInt64 {
        RandomizationStream.leadingUInt64(SHA256.hash(data: Array(dealID.utf8) + [0] + Array(hypothesisKey.utf8)))
    }
}
