import Foundation
import Synchronization

/// In-memory caches: frozen plans and generated block sequences, plus two hints for the enrollment fast path.
///
/// Plans and sequences are pure functions of frozen data, so a stale entry is impossible (the plan hash is
/// part of the key); they only save database reads and regeneration. The hints — which hypotheses were
/// running at each stage, and which deals this process has handled lately — may be stale: the fast path
/// checks them inside its transaction and falls back to the full lookup when they were wrong.
/// Bounded: cleared when they grow past `limit`.
final class SchedulerCache: Sendable {
    private struct SequenceKey: Hashable {
        var hypothesisKey: String
        var planHash: String
        var stratum: String
    }

    private let plans = Mutex<[String: EnrollmentPlan]>([:])
    private let sequences = Mutex<[SequenceKey: BlockSequence]>([:])
    private let runningByStage = Mutex<[String: [EnrollmentPlan]]>([:])
    /// Batches the fast path for unseen deals wrote, and batches where it tried and a guess was wrong
    /// (diagnostics: a scheduler whose misses grow like its hits is sharing its deals with another process).
    let fastPathHits = Atomic<Int>(0)
    let fastPathMisses = Atomic<Int>(0)
    private let recentDeals: Mutex<RecentSet>
    private let limit: Int

    init(limit: Int = 10_000, recentDeals: Int = 1 << 17) {
        self.limit = limit
        self.recentDeals = Mutex(RecentSet(capacity: recentDeals))
    }

    // MARK: Hints

    /// The running hypotheses of each stage as the last lookup saw them.
    func rememberRunning(_ plans: [EnrollmentPlan], stages: some Sequence<String>) {
        runningByStage.withLock { byStage in
            if byStage.count >= limit { byStage.removeAll() }
            for stage in stages { byStage[stage] = plans.filter { $0.stageKey == stage } }
        }
    }

    /// The running hypotheses of these stages as last seen (sorted by key), or nil when a stage was not seen yet.
    func predictedRunning(stages: some Sequence<String>) -> [EnrollmentPlan]? {
        runningByStage.withLock { byStage in
            var plans: [EnrollmentPlan] = []
            for stage in stages {
                guard let known = byStage[stage] else { return nil }
                plans += known
            }
            return plans.sorted { $0.key < $1.key }
        }
    }

    /// Records deals this process handled (so their repeats take the lookup path, which answers them without a transaction).
    func rememberDeals(_ dealIDs: [String]) {
        recentDeals.withLock { recent in
            for id in dealIDs { recent.insert(id.hashValue) }
        }
    }

    /// True when one of the deals may have been handled here lately (false positives only: hashes collide).
    func mayKnowAny(_ dealIDs: [String]) -> Bool {
        recentDeals.withLock { recent in dealIDs.contains { recent.contains($0.hashValue) } }
    }

    /// A set of the last `capacity` hashes inserted (first in, first out).
    private struct RecentSet {
        let capacity: Int
        var members: Set<Int> = []
        var ring: [Int] = []
        var next = 0

        init(capacity: Int) { self.capacity = max(1, capacity) }

        func contains(_ hash: Int) -> Bool { members.contains(hash) }

        mutating func insert(_ hash: Int) {
            guard !members.contains(hash) else { return }
            if ring.count < capacity {
                ring.append(hash)
            } else {
                members.remove(ring[next])
                ring[next] = hash
                next = (next + 1) % capacity
            }
            members.insert(hash)
        }
    }

    // MARK: Plans and sequences

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
