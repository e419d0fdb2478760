import Foundation
import Synchronization

/// In-memory caches of immutable things: frozen plans and generated block sequences.
///
/// Both are pure functions of frozen data, so a stale entry is impossible (the plan hash is part of the key);
/// the caches only save database reads and regeneration. Bounded: cleared when they grow past `limit`.
final class SchedulerCache: Sendable {
    private struct SequenceKey: Hashable {
        var hypothesisKey: String
        var planHash: String
        var stratum: String
    }

    private let plans = Mutex<[String: EnrollmentPlan]>([:])
    private let sequences = Mutex<[SequenceKey: BlockSequence]>([:])
    private let limit: Int

    init(limit: Int = 10_000) { self.limit = limit }

    func plan(key: String, planHash: String) -> EnrollmentPlan? {
        plans.withLock { $0[key + "\u{0}" + planHash] }
    }

    func store(_ plan: EnrollmentPlan) {
        plans.withLock { plans in
            if plans.count >= limit { plans.removeAll() }
            plans[plan.key + "\u{0}" + plan.planHash] = plan
        }
    }

    /// The arm indexes at `slots` of the plan's sequence for `stratum`.
    func arms(_ plan: EnrollmentPlan, stratum: String, slots: [Int]) -> [Int] {
        let key = SequenceKey(hypothesisKey: plan.key, planHash: plan.planHash, stratum: stratum)
        return sequences.withLock { sequences in
            if sequences.count >= limit, sequences[key] == nil { sequences.removeAll() }
            // Taken out while extended, so the dictionary does not hold a second reference (no copy on write).
            var sequence = sequences.removeValue(forKey: key) ?? BlockSequence(seed: plan.seed, stratum: stratum, weights: plan.weights)
            let arms = slots.map { sequence.arm(at: $0) }
            sequences[key] = sequence
            return arms
        }
    }
}
