import Stats

/// SplitMix64 (`Stats.SplitMix64`): a small, fast, deterministic generator, so `journeylab demo --seed N`
/// replays exactly.
struct DemoRandom: RandomNumberGenerator {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// An independent stream for one entity (a deal, a dealer), derived from the demo's seed.
    init(seed: UInt64, stream: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        generator = SplitMix64(seed: seed ^ hash)
        _ = generator.next()
    }

    mutating func next() -> UInt64 { generator.next() }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
}
