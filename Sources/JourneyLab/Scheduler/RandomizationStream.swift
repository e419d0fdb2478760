import Crypto
import Foundation

/// The pseudo-random stream behind block sequences: SplitMix64 seeded from SHA-256.
///
/// Kept in the scheduler (not shared with `Stats`) because it is part of a published, auditable algorithm:
/// changing it would change every stored sequence, so it must never move with another module's needs.
///
/// - Seeding: the state is the first 8 bytes (big-endian) of a SHA-256 digest.
/// - `next()`: SplitMix64 (Steele, Lea & Flood 2014): `state += 0x9E3779B97F4A7C15`, then the usual
///   xor-shift-multiply finalizer.
/// - `uniform(below: n)`: rejection sampling without modulo bias: draw `x`, reject while
///   `x < (2^64 mod n)`, return `x mod n` (what OpenBSD's `arc4random_uniform` does).
struct RandomizationStream: Sendable {
    private(set) var state: UInt64

    init(state: UInt64) { self.state = state }

    /// A stream whose state is the first 8 bytes, big-endian, of SHA-256(`material`).
    init(sha256Of material: [UInt8]) {
        state = Self.leadingUInt64(SHA256.hash(data: material))
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (bound > 0).
    mutating func uniform(below bound: Int) -> Int {
        precondition(bound > 0, "uniform(below:) needs a positive bound")
        let range = UInt64(bound)
        let threshold = (0 &- range) % range  // 2^64 mod range
        while true {
            let value = next()
            if value >= threshold { return Int(value % range) }
        }
    }

    /// The first 8 bytes of a digest as a big-endian integer.
    static func leadingUInt64(_ digest: SHA256.Digest) -> UInt64 {
        var value: UInt64 = 0
        for byte in digest.prefix(8) { value = value << 8 | UInt64(byte) }
        return value
    }
}
