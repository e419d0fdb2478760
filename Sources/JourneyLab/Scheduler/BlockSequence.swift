import Foundation

/// The permuted-block sequence of one stratum of one hypothesis: a pure function of (seed, stratum, weights).
///
/// Anyone can regenerate a stratum's list from the frozen plan and check every stored assignment against it
/// (`journeylab hypothesis randomization ID`). The algorithm, version 1:
///
/// 1. `S` = the sum of the arm weights, in plan order (arm `i` has weight `w_i`).
/// 2. Stream: `RandomizationStream` (SplitMix64) whose state is the first 8 bytes, big-endian, of
///    `SHA-256(UTF-8("\(seed)") ‖ 0x00 ‖ UTF-8(stratum))` — the seed as a signed decimal.
/// 3. Blocks, one after another, forever:
///    a. multiplier `m = 1 + uniform(below: 3)` (so block sizes are `S`, `2S` or `3S`);
///    b. the block's multiset, in plan order: arm `i` repeated `m·w_i` times;
///    c. Fisher–Yates (Durstenfeld) shuffle: for `k` from `m·S − 1` down to 1, `j = uniform(below: k + 1)`,
///       swap positions `k` and `j`.
/// 4. Slot `n` of the stratum (0-based, as stored in `assignments.slot`) is position `n` of the concatenation.
///
/// A Python reference: `digest = sha256(f"{seed}\0{stratum}".encode()).digest(); state = int.from_bytes(digest[:8], "big")`,
/// then SplitMix64 and the steps above.
///
/// Because every block holds the arms exactly in the ratio of the weights, after any number of slots a
/// stratum is off the planned ratio by at most what the open (incomplete) block contains.
public struct BlockSequence: Sendable {
    /// One generated block.
    public struct Block: Sendable, Equatable {
        /// The slot of the block's first position.
        public var start: Int
        /// Arm indexes (plan order), one per slot.
        public var arms: [Int]
        public var end: Int { start + arms.count }
    }

    public let seed: Int64
    public let stratum: String
    public let weights: [Int]
    /// Blocks generated so far, in order.
    public private(set) var blocks: [Block] = []
    private var stream: RandomizationStream

    /// - Parameters:
    ///   - seed: the plan's seed.
    ///   - stratum: the stratum's name (`dealer` id, segment or `(none)`, or `all`).
    ///   - weights: positive arm weights in plan order.
    public init(seed: Int64, stratum: String, weights: [Int]) {
        precondition(!weights.isEmpty && weights.allSatisfy { $0 > 0 }, "a block sequence needs positive weights")
        self.seed = seed
        self.stratum = stratum
        self.weights = weights
        stream = RandomizationStream(sha256Of: Array("\(seed)".utf8) + [0] + Array(stratum.utf8))
    }

    /// Slots generated so far.
    public var count: Int { blocks.last?.end ?? 0 }

    /// The arm index at `slot`, generating blocks as needed.
    public mutating func arm(at slot: Int) -> Int {
        precondition(slot >= 0, "slots start at 0")
        generate(through: slot)
        let index = blockIndex(containing: slot)
        let block = blocks[index]
        return block.arms[slot - block.start]
    }

    /// Generates blocks until `slot` is covered.
    public mutating func generate(through slot: Int) {
        while count <= slot { appendBlock() }
    }

    /// The index in `blocks` of the block holding `slot` (which must be generated).
    public func blockIndex(containing slot: Int) -> Int {
        var low = 0
        var high = blocks.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if blocks[middle].start <= slot { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The first `count` arm indexes.
    public mutating func prefix(_ count: Int) -> [Int] {
        guard count > 0 else { return [] }
        generate(through: count - 1)
        return Array(blocks.lazy.flatMap(\.arms).prefix(count))
    }

    private mutating func appendBlock() {
        let multiplier = 1 + stream.uniform(below: 3)
        var arms: [Int] = []
        arms.reserveCapacity(multiplier * weights.reduce(0, +))
        for (index, weight) in weights.enumerated() {
            arms.append(contentsOf: repeatElement(index, count: multiplier * weight))
        }
        var k = arms.count - 1
        while k > 0 {
            let j = stream.uniform(below: k + 1)
            arms.swapAt(k, j)
            k -= 1
        }
        blocks.append(Block(start: count, arms: arms))
    }
}
