import Foundation
import Testing

@testable import JourneyLab

/// The pure algorithms: block sequences and the hash method, against the independent Python reference
/// (`scripts/randomization-reference.py`, which printed the golden lists below).
@Suite("Scheduler sequences")
struct SchedulerSequenceTests {
    @Test("block sequences match the Python reference")
    func blockGolden() {
        var a = BlockSequence(seed: 42, stratum: "dealer-1", weights: [1, 1])
        #expect(a.prefix(24) == [1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0])
        var b = BlockSequence(seed: -7, stratum: "(none)", weights: [1, 4])
        #expect(b.prefix(30) == [1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0])
        var c = BlockSequence(seed: Int64.max, stratum: "all", weights: [2, 1, 1])
        #expect(c.prefix(16) == [0, 0, 1, 2, 1, 2, 0, 0, 0, 2, 0, 0, 2, 1, 1, 0])
    }

    @Test("hash method matches the Python reference")
    func hashGolden() {
        let even = (0..<16).map { HashAssignment.armIndex(dealID: "D-\($0)", hypothesisKey: "h", seed: 42, weights: [1, 1]) }
        #expect(even == [0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1])
        let skewed = (0..<16).map { HashAssignment.armIndex(dealID: "D-\($0)", hypothesisKey: "h", seed: 42, weights: [1, 4]) }
        #expect(skewed == [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    }

    @Test("every block holds the arms in the ratio of the weights, in sizes 1, 2 or 3 times their sum", arguments: [[1, 1], [1, 4], [2, 1, 1]])
    func blockComposition(weights: [Int]) {
        let total = weights.reduce(0, +)
        for seed: Int64 in [1, 2, 3, -99] {
            var sequence = BlockSequence(seed: seed, stratum: "dealer-\(seed)", weights: weights)
            sequence.generate(through: 3_000)
            var sizes = Set<Int>()
            for block in sequence.blocks {
                let multiplier = block.arms.count / total
                #expect(block.arms.count % total == 0 && (1...3).contains(multiplier))
                sizes.insert(multiplier)
                for (arm, weight) in weights.enumerated() {
                    #expect(block.arms.filter { $0 == arm }.count == weight * multiplier)
                }
            }
            #expect(sizes == [1, 2, 3], "all three block sizes occur over 3,000 slots")
        }
    }

    @Test("the same seed regenerates the same list; other seeds and strata give other lists")
    func determinism() {
        var first = BlockSequence(seed: 2024, stratum: "dealer-7", weights: [1, 1])
        var again = BlockSequence(seed: 2024, stratum: "dealer-7", weights: [1, 1])
        let list = first.prefix(500)
        #expect(again.prefix(500) == list)
        // Generating in pieces gives the same slots as generating at once.
        var pieces = BlockSequence(seed: 2024, stratum: "dealer-7", weights: [1, 1])
        #expect((0..<500).map { pieces.arm(at: $0) } == list)

        var otherSeed = BlockSequence(seed: 2025, stratum: "dealer-7", weights: [1, 1])
        var otherStratum = BlockSequence(seed: 2024, stratum: "dealer-8", weights: [1, 1])
        #expect(otherSeed.prefix(500) != list)
        #expect(otherStratum.prefix(500) != list)
    }

    @Test("different hypotheses (seeds) get independent sequences: agreement near 50% across 20,000 slots")
    func independence() {
        var agree = 0
        let n = 20_000
        var a = BlockSequence(seed: 11, stratum: "dealer-1", weights: [1, 1])
        var b = BlockSequence(seed: 12, stratum: "dealer-1", weights: [1, 1])
        let x = a.prefix(n)
        let y = b.prefix(n)
        for i in 0..<n where x[i] == y[i] { agree += 1 }
        // Independent 1:1 sequences agree on half the slots; 4 standard deviations is ±283.
        #expect(abs(agree - n / 2) < 283, "agreement \(agree) of \(n)")
    }

    @Test("hash method lands within ±3% of the weights over 100,000 ids", arguments: [[1, 1], [1, 4], [1, 2, 3]])
    func hashProportions(weights: [Int]) {
        let n = 100_000
        var counts = [Int](repeating: 0, count: weights.count)
        for i in 0..<n {
            counts[HashAssignment.armIndex(dealID: "deal-\(i)", hypothesisKey: "email-chain", seed: 77, weights: weights)] += 1
        }
        let total = Double(weights.reduce(0, +))
        for (arm, weight) in weights.enumerated() {
            let expected = Double(weight) / total
            let observed = Double(counts[arm]) / Double(n)
            #expect(abs(observed - expected) <= 0.03 * expected, "arm \(arm): \(observed) vs \(expected)")
        }
    }

    @Test("hash method is stable across runs and salted per hypothesis")
    func hashStable() {
        let ids = (0..<1_000).map { "D-\($0)" }
        let once = ids.map { HashAssignment.armIndex(dealID: $0, hypothesisKey: "h", seed: 5, weights: [1, 1]) }
        let twice = ids.map { HashAssignment.armIndex(dealID: $0, hypothesisKey: "h", seed: 5, weights: [1, 1]) }
        let otherKey = ids.map { HashAssignment.armIndex(dealID: $0, hypothesisKey: "h2", seed: 5, weights: [1, 1]) }
        #expect(once == twice)
        #expect(once != otherKey)
    }

    @Test("request validation names the field at fault")
    func validation() {
        func field(_ request: AssignmentRequest) -> String? {
            do {
                try request.validate()
                return nil
            } catch let error as JourneyLabError {
                #expect(error.kind == .invalidInput)
                return error.field
            } catch { return "unexpected" }
        }
        #expect(field(AssignmentRequest(dealID: "D-1", dealerID: "dealer-1", stage: "first-visit")) == nil)
        #expect(field(AssignmentRequest(dealID: "", dealerID: "dealer-1", stage: "first-visit")) == "deal_id")
        #expect(field(AssignmentRequest(dealID: String(repeating: "x", count: 129), dealerID: "d", stage: "s")) == "deal_id")
        #expect(field(AssignmentRequest(dealID: String(repeating: "ж", count: 128), dealerID: "d", stage: "s")) == nil)
        #expect(field(AssignmentRequest(dealID: "D\n1", dealerID: "d", stage: "s")) == "deal_id")
        #expect(field(AssignmentRequest(dealID: "D", dealerID: "dealer\u{0}", stage: "s")) == "dealer_id")
        #expect(field(AssignmentRequest(dealID: "D", dealerID: "d", stage: "First Visit")) == "stage")
        #expect(field(AssignmentRequest(dealID: "D", dealerID: "d", stage: "-visit")) == "stage")
        #expect(field(AssignmentRequest(dealID: "D", dealerID: "d", stage: "s", segment: "")) == "segment")
    }
}
