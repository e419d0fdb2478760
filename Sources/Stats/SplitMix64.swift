/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, seedable generator, so resampling is reproducible
/// on every platform and Swift version.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator from a seed; the same seed always gives the same sequence.
    /// - Parameter seed: any 64-bit value.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<bound by Lemire's multiply-and-reject method (no modulo bias).
    /// - Parameter bound: the exclusive upper bound, > 0.
    /// - Returns: the integer.
    public mutating func nextIndex(below bound: Int) -> Int {
        let range = UInt64(bound)
        let threshold = (0 &- range) % range
        while true {
            let product = next().multipliedFullWidth(by: range)
            if product.low >= threshold { return Int(product.high) }
        }
    }
}
