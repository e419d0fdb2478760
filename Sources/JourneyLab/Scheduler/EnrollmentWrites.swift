import Foundation
import Postgres

/// The rows an enrollment transaction writes once its deals are decided: every (deal, hypothesis) pair with
/// its stratum, the block slots they take, their arms, and the statements that store them.
///
/// Used in three steps so the statements can be pipelined: `slotStatement` takes the slots (one upsert for
/// every (hypothesis, stratum) of the batch, in key order: no deadlocks), `takeSlots` reads what it
/// returned and draws the arms, `finalStatements` inserts assignments and exclusion claims.
struct EnrollmentWrites {
    struct Pair {
        var decision: Int
        var plan: EnrollmentPlan
        var stratum: String
        var slot: Int?
        var armIndex = 0
    }

    let decisions: [EnrollmentBatch.DealDecision]
    let cache: SchedulerCache
    private(set) var pairs: [Pair] = []
    /// hypothesis → stratum → indexes into `pairs` (block hypotheses only)
    private var slotsNeeded: [String: [String: [Int]]] = [:]

    init(_ decisions: [EnrollmentBatch.DealDecision], cache: SchedulerCache) {
        self.decisions = decisions
        self.cache = cache
        for (index, decision) in decisions.enumerated() {
            for plan in decision.enroll {
                pairs.append(Pair(
                    decision: index, plan: plan,
                    stratum: plan.stratum(dealerID: decision.canonical.dealerID, segment: decision.canonical.segment)))
            }
        }
        for (index, pair) in pairs.enumerated() where pair.plan.randomization == .block {
            slotsNeeded[pair.plan.key, default: [:]][pair.stratum, default: []].append(index)
        }
        for index in pairs.indices where pairs[index].plan.randomization == .hash {
            let plan = pairs[index].plan
            pairs[index].armIndex = HashAssignment.armIndex(
                dealID: decisions[pairs[index].decision].dealID, hypothesisKey: plan.key, seed: plan.seed,
                weights: plan.weights)
        }
    }

    /// Advances each needed stratum cursor by its number of deals and returns the new ends; nil when no block
    /// hypothesis is involved. The row lock hands every slot out once; a rollback returns them.
    var slotStatement: PGStatement? {
        guard let advances = cursorAdvances else { return nil }
        return PGStatement(Self.cursorUpsertSQL, advances, planning: .reusable)
    }

    /// The parameters of the cursor upsert — hypothesis keys, strata, deal counts — in key order (so concurrent
    /// batches lock cursor rows in the same order: no deadlocks); nil when no block hypothesis is involved.
    var cursorAdvances: [any PGEncodable]? {
        guard !slotsNeeded.isEmpty else { return nil }
        var keys: [String] = []
        var strata: [String] = []
        var counts: [Int?] = []
        for key in slotsNeeded.keys.sorted() {
            for stratum in slotsNeeded[key]!.keys.sorted() {
                keys.append(key)
                strata.append(stratum)
                counts.append(slotsNeeded[key]![stratum]!.count)
            }
        }
        return [PGArrayLiteral(keys), PGArrayLiteral(strata), PGArrayLiteral(counts)]
    }

    private static let cursorUpsertSQL = cursorUpsert(firstParameter: 1)

    /// The cursor upsert taking `cursorAdvances` as parameters `$first…$first+2`, only when `condition` holds.
    static func cursorUpsert(firstParameter first: Int, condition: String = "true") -> String {
        """
        INSERT INTO randomization_cursors AS r (hypothesis_key, stratum, next_slot)
        SELECT * FROM unnest($\(first)::text[], $\(first + 1)::text[], $\(first + 2)::int4[]) WHERE \(condition) ORDER BY 1, 2
        ON CONFLICT (hypothesis_key, stratum) DO UPDATE SET next_slot = r.next_slot + EXCLUDED.next_slot
        RETURNING hypothesis_key::text, stratum, next_slot
        """
    }

    /// Reads `slotStatement`'s result: each pair's slot, and its arm from the stratum's sequence.
    mutating func takeSlots(_ result: borrowing PGResult) throws {
        var taken = 0
        for (key, stratum, end) in try result.rows({ (try $0.decode(String.self, 0), try $0.decode(String.self, 1), try $0.decode(Int.self, 2)) }) {
            guard let members = slotsNeeded[key]?[stratum] else { continue }
            let start = end - members.count
            let arms = cache.arms(pairs[members[0]].plan, stratum: stratum, slots: Array(start..<end))
            for (offset, member) in members.enumerated() {
                pairs[member].slot = start + offset
                pairs[member].armIndex = arms[offset]
            }
            taken += 1
        }
        let needed = slotsNeeded.values.reduce(0) { $0 + $1.count }
        guard taken == needed else {
            throw JourneyLabError(.internalFailure, "the slot upsert returned \(taken) of \(needed) strata")
        }
    }

    /// The assignments and exclusion claims (nothing is read back from these).
    var finalStatements: [PGStatement] {
        guard !pairs.isEmpty else { return [] }
        var statements = [PGStatement(
            """
            INSERT INTO assignments (deal_id, hypothesis_key, arm, stratum, slot)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[])
            """,
            [PGArrayLiteral(pairs.map { decisions[$0.decision].dealID }), PGArrayLiteral(pairs.map(\.plan.key)),
             PGArrayLiteral(pairs.map { $0.plan.arms[$0.armIndex].name }), PGArrayLiteral(pairs.map(\.stratum)),
             PGArrayLiteral(pairs.map(\.slot))], planning: .reusable)]
        let claims = pairs.filter { $0.plan.exclusionGroup != nil }
        if !claims.isEmpty {
            statements.append(PGStatement(
                """
                INSERT INTO exclusion_claims (exclusion_group, deal_id, hypothesis_key)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
                """,
                [PGArrayLiteral(claims.map { $0.plan.exclusionGroup }),
                 PGArrayLiteral(claims.map { decisions[$0.decision].dealID }), PGArrayLiteral(claims.map(\.plan.key))],
                planning: .reusable))
        }
        return statements
    }

    /// Each deal's assignments after the writes: the stored ones plus the new ones.
    var assignments: [(EnrollmentBatch.DealDecision, [EnrollmentBatch.StoredAssignment])] {
        var assignments = decisions.map(\.existing)
        for pair in pairs {
            let arm = pair.plan.arms[pair.armIndex]
            assignments[pair.decision].append(.init(hypothesisKey: pair.plan.key, arm: arm.name, isControl: arm.isControl))
        }
        return Array(zip(decisions, assignments))
    }
}
