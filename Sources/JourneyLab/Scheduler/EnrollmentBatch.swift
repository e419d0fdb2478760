import Foundation
import Postgres

/// The database work for a batch of assignment requests, on one borrowed connection (blocking).
///
/// 0. **Unseen deals** (`enrollUnseenDeals`, tried first): when no deal of the batch was handled by this
///    process lately and the running hypotheses of its stages are known, the deals are decided as new without
///    the lookup and written as in 2, which proves both guesses inside its transaction (every deal inserted,
///    the same hypotheses running) or rolls back with nothing taken; then the steps below run.
/// 1. **Lookup** (one read-only statement, no transaction): the deals' stored dealer/segment, their
///    assignments and exclusion claims, whether their close is stored (a closed deal joins nothing more), and
///    the running hypotheses of the requested stages. Deals already
///    enrolled in everything they are eligible for are answered from it: a repeat costs a share of one query.
/// 2. **Enrollment of new deals** (the common case, `enrollNewDeals`): the same writes as below in two
///    pipelined round trips — the deals' insert and the slot upsert are one statement that takes slots only
///    if every deal was new — falling back to the general path when a deal appeared since it was decided.
/// 3. **Enrollment** (one transaction for the whole batch, so concurrent requests commit together):
///    insert new deals (`ON CONFLICT DO NOTHING`; the unique index makes a concurrent insert of the same deal
///    wait for ours), lock and re-read deals that already existed (`FOR UPDATE`, so two batches never enroll
///    the same deal at once), take block slots with one `INSERT … ON CONFLICT DO UPDATE SET next_slot =
///    next_slot + k … RETURNING` per batch (the row lock hands every slot out once; a rollback returns them),
///    then insert the assignments and exclusion claims. `UNIQUE (hypothesis_key, stratum, slot)` and the
///    primary keys make PostgreSQL refuse anything that would double-use a slot or re-assign a deal.
///
/// A deal that joins nothing (no running hypothesis at its stage admits it) is still stored, so its events are
/// accepted (flagged as not enrolled) and its dealer is bound.
///
/// A request whose dealer or segment contradicts the stored deal gets a `.conflict` error without affecting
/// the others; an unexpected database error makes the batch retry each deal on its own, so it fails only
/// the request that caused it.
struct EnrollmentBatch {
    let requests: [AssignmentRequest]
    let cache: SchedulerCache

    // MARK: Stored state

    struct StoredDeal: Equatable {
        var dealerID: String
        var segment: String?
    }

    struct StoredAssignment {
        var hypothesisKey: String
        var arm: String
        var isControl: Bool
    }

    struct DealState {
        var deal: StoredDeal?
        var assignments: [StoredAssignment] = []
        /// exclusion group → hypothesis key
        var claims: [String: String] = [:]
        /// A closing event is stored: the deal's outcome is known before any new arm could act on it, so it
        /// joins no further hypothesis (its existing arms stay).
        var closed = false
    }

    /// What to do for one deal of the batch.
    struct DealDecision {
        var dealID: String
        /// The lookup found the deal already stored.
        var dealWasStored = false
        var canonical: StoredDeal
        var firstStage: String
        var attributes: [String: String]?
        /// Request indexes answered with the deal's assignments.
        var accepted: [Int] = []
        var conflicts: [(Int, JourneyLabError)] = []
        var existing: [StoredAssignment] = []
        /// Hypotheses to enroll the deal in, decided.
        var enroll: [EnrollmentPlan] = []
        /// Per exclusion group without a claim: the eligible hypotheses, of which exactly one is chosen.
        var groupChoices: [[EnrollmentPlan]] = []
        var needsWrite: Bool { !enroll.isEmpty || !groupChoices.isEmpty }
    }

    // MARK: Running

    /// Processes the batch; one result per request, in order.
    func run(_ connection: PGConnection) throws -> [Result<AssignmentResult, any Error>] {
        var order: [String] = []
        var indexesByDeal: [String: [Int]] = [:]
        for (index, request) in requests.enumerated() {
            if indexesByDeal[request.dealID] == nil { order.append(request.dealID) }
            indexesByDeal[request.dealID, default: []].append(index)
        }
        defer { cache.rememberDeals(order) }
        if let results = try enrollUnseenDeals(connection, order, indexesByDeal) { return results }

        let stages = Array(Set(requests.map(\.stage)))
        let (states, running) = try lookup(connection, dealIDs: order, stages: stages)

        var results = [Result<AssignmentResult, any Error>?](repeating: nil, count: requests.count)
        var pending: [DealDecision] = []
        var joiningNothing: [DealDecision] = []
        for dealID in order {
            let decision = decide(dealID, indexesByDeal[dealID]!, states[dealID] ?? DealState(), running)
            if decision.needsWrite {
                pending.append(decision)
            } else {
                if !decision.dealWasStored, !decision.accepted.isEmpty { joiningNothing.append(decision) }
                fill(&results, decision, assignments: decision.existing)
            }
        }
        if !joiningNothing.isEmpty {
            // A deal the CRM has asked about is known from then on, even when no running hypothesis takes it:
            // its events are stored (flagged as not enrolled) instead of refused as an unknown deal's, and its
            // dealer is bound to it. One statement, its own transaction.
            do {
                let insert = try insertDeals(joiningNothing)
                _ = try connection.execute(insert.sql, insert.parameters, planning: insert.planning)
            } catch {
                for decision in joiningNothing {
                    for index in indexesByDeal[decision.dealID]! { results[index] = .failure(error) }
                }
            }
        }
        if !pending.isEmpty {
            do {
                let written = try enrollNewDeals(connection, pending, verifying: nil)
                    ?? transaction(connection) { try enroll($0, pending, running, indexesByDeal) }
                for (decision, assignments) in written { fill(&results, decision, assignments: assignments) }
            } catch {
                // Isolate the request that made the batch fail: each deal alone, in its own transaction.
                for decision in pending {
                    if pending.count == 1 {
                        for index in indexesByDeal[decision.dealID]! { results[index] = .failure(error) }
                        continue
                    }
                    do {
                        let written = try transaction(connection) { try enroll($0, [decision], running, indexesByDeal) }
                        for (decision, assignments) in written { fill(&results, decision, assignments: assignments) }
                    } catch {
                        for index in indexesByDeal[decision.dealID]! { results[index] = .failure(error) }
                    }
                }
            }
        }
        return finished(results)
    }

    /// Every request's result, in order; one left without any is an internal failure, never dropped.
    private func finished(_ results: [Result<AssignmentResult, any Error>?]) -> [Result<AssignmentResult, any Error>] {
        results.map { $0 ?? .failure(JourneyLabError(.internalFailure, "the scheduler lost a request")) }
    }

    private func fill(
        _ results: inout [Result<AssignmentResult, any Error>?], _ decision: DealDecision, assignments: [StoredAssignment]
    ) {
        let result = AssignmentResult(
            dealID: decision.dealID,
            assignments: assignments.sorted { $0.hypothesisKey < $1.hypothesisKey }.map {
                AssignmentResult.Assignment(hypothesisKey: $0.hypothesisKey, arm: $0.arm, apply: !$0.isControl)
            })
        for index in decision.accepted { results[index] = .success(result) }
        for (index, error) in decision.conflicts { results[index] = .failure(error) }
    }

    /// The fast path for deals this process has not handled lately (nearly always new deals): no lookup, two
    /// round trips in all. The deals are decided as new against the running hypotheses last seen at their
    /// stages; `enrollNewDeals` then checks both guesses inside its transaction. Nil when a guess cannot be
    /// made or proved wrong (nothing is written then, and the full path runs).
    private func enrollUnseenDeals(_ connection: PGConnection, _ order: [String], _ indexesByDeal: [String: [Int]]) throws
        -> [Result<AssignmentResult, any Error>]?
    {
        guard !cache.mayKnowAny(order), let running = cache.predictedRunning(stages: Set(requests.map(\.stage))) else {
            return nil
        }
        let decisions = order.map { decide($0, indexesByDeal[$0]!, DealState(), running) }
        // A deal joining nothing takes no slot, so this transaction could not prove it new: the full path stores it.
        guard decisions.allSatisfy(\.needsWrite) else { return nil }
        let written: [(DealDecision, [StoredAssignment])]?
        do {
            written = try enrollNewDeals(connection, decisions, verifying: running)
        } catch where !connection.isBroken {
            cache.fastPathMisses.add(1, ordering: .relaxed)
            return nil  // the full path runs the batch again and isolates the request at fault
        }
        guard let written else {
            cache.fastPathMisses.add(1, ordering: .relaxed)
            return nil
        }
        cache.fastPathHits.add(1, ordering: .relaxed)
        var results = [Result<AssignmentResult, any Error>?](repeating: nil, count: requests.count)
        for (decision, assignments) in written { fill(&results, decision, assignments: assignments) }
        return finished(results)
    }

    // MARK: Deciding

    /// Who the deal is, which requests contradict it, and which hypotheses it still has to join.
    func decide(_ dealID: String, _ indexes: [Int], _ state: DealState, _ running: [EnrollmentPlan]) -> DealDecision {
        let first = requests[indexes[0]]
        let canonical = state.deal ?? StoredDeal(dealerID: first.dealerID, segment: first.segment)
        var decision = DealDecision(
            dealID: dealID, dealWasStored: state.deal != nil, canonical: canonical, firstStage: first.stage,
            attributes: first.attributes, existing: state.assignments)
        var stages = Set<String>()
        for index in indexes {
            let request = requests[index]
            if request.dealerID != canonical.dealerID {
                decision.conflicts.append((index, JourneyLabError(
                    .conflict,
                    "deal \"\(dealID)\" belongs to dealer \"\(canonical.dealerID)\", not \"\(request.dealerID)\": a deal's dealer cannot change after enrollment",
                    field: "dealer_id")))
            } else if let segment = request.segment, segment != canonical.segment {
                decision.conflicts.append((index, JourneyLabError(
                    .conflict,
                    "deal \"\(dealID)\" is in segment \(canonical.segment.map { "\"\($0)\"" } ?? "(none)"), not \"\(segment)\": a deal's segment cannot change after enrollment",
                    field: "segment")))
            } else {
                decision.accepted.append(index)
                stages.insert(request.stage)
            }
        }
        // A deal already closed (won or lost) joins nothing more: no arm can change an outcome that is known.
        guard !decision.accepted.isEmpty, !state.closed else { return decision }

        let assigned = Set(state.assignments.map(\.hypothesisKey))
        var groups: [String: [EnrollmentPlan]] = [:]
        for plan in running where stages.contains(plan.stageKey) && plan.admits(segment: canonical.segment) {
            guard !assigned.contains(plan.key) else { continue }
            if let group = plan.exclusionGroup {
                if let claimant = state.claims[group] {
                    // Claimed by another hypothesis of the group: never share the deal.
                    if claimant == plan.key { decision.enroll.append(plan) }
                } else {
                    groups[group, default: []].append(plan)
                }
            } else {
                decision.enroll.append(plan)
            }
        }
        for group in groups.keys.sorted() {
            let candidates = groups[group]!
            if candidates.count == 1 { decision.enroll.append(candidates[0]) } else { decision.groupChoices.append(candidates) }
        }
        return decision
    }

    // MARK: SQL

    /// One statement: stored deals, their assignments (with the arm's control flag) and claims, and the
    /// running hypotheses of the stages.
    private func lookup(_ connection: PGConnection, dealIDs: [String], stages: [String]) throws
        -> ([String: DealState], [EnrollmentPlan])
    {
        var states: [String: DealState] = [:]
        var runningKeys: [(key: String, planHash: String)] = []
        let result = try connection.query(
            """
            SELECT 'd', d.deal_id::text, d.dealer_id::text, d.segment, NULL FROM deals d WHERE d.deal_id = ANY($1::text[])
            UNION ALL
            SELECT 'a', x.deal_id::text, x.hypothesis_key::text, x.arm::text, r.is_control::text
              FROM assignments x JOIN arms r ON r.hypothesis_key = x.hypothesis_key AND r.name = x.arm
             WHERE x.deal_id = ANY($1::text[])
            UNION ALL
            SELECT 'c', c.deal_id::text, c.exclusion_group::text, c.hypothesis_key::text, NULL
              FROM exclusion_claims c WHERE c.deal_id = ANY($1::text[])
            UNION ALL
            SELECT DISTINCT 'x', e.deal_id::text, NULL, NULL, NULL FROM events e
             WHERE e.deal_id = ANY($1::text[]) AND e.type IN \(OutcomeRule.closingTypes)
            UNION ALL
            SELECT 'h', h.key::text, h.plan_hash, NULL, NULL FROM hypotheses h
             WHERE h.status = 'running' AND h.stage_key = ANY($2::text[])
            """,
            [PGArrayLiteral(dealIDs), PGArrayLiteral(stages)], planning: .reusable)
        _ = try result.rows { row in
            let kind = try row.decode(String.self, 0)
            let id = try row.decode(String.self, 1)
            switch kind {
            case "d":
                states[id, default: DealState()].deal = StoredDeal(
                    dealerID: try row.decode(String.self, 2), segment: try row.decodeIfPresent(String.self, 3))
            case "a":
                states[id, default: DealState()].assignments.append(StoredAssignment(
                    hypothesisKey: try row.decode(String.self, 2), arm: try row.decode(String.self, 3),
                    isControl: try row.decode(String.self, 4) == "true"))
            case "c":
                states[id, default: DealState()].claims[try row.decode(String.self, 2)] = try row.decode(String.self, 3)
            case "x":
                states[id, default: DealState()].closed = true
            default:
                runningKeys.append((id, try row.decodeIfPresent(String.self, 2) ?? ""))
            }
        }
        let running = try plans(runningKeys, connection)
        cache.rememberRunning(running, stages: stages)
        return (states, running)
    }

    /// Frozen plans from the cache, loading the ones not seen yet.
    private func plans(_ keys: [(key: String, planHash: String)], _ connection: PGConnection) throws -> [EnrollmentPlan] {
        try keys.sorted { $0.key < $1.key }.compactMap { key, planHash in
            if let plan = cache.plan(key: key, planHash: planHash) { return plan }
            guard let hypothesis = try HypothesisStore.load(key, connection), hypothesis.status == .running,
                hypothesis.planHash == planHash, !hypothesis.plan.arms.isEmpty
            else { return nil }
            let plan = EnrollmentPlan(hypothesis)
            cache.store(plan)
            return plan
        }
    }

    /// Inserts the deals (sorted by id) that do not exist yet and returns the ids it inserted.
    private func insertDeals(_ decisions: [DealDecision]) throws -> PGStatement {
        PGStatement(Self.insertDealsSQL + "\nRETURNING deal_id::text", try dealColumns(decisions), planning: .reusable)
    }

    /// Parameters $1…$5: the deals' ids, dealers, segments, first stages, attributes.
    private static let insertDealsSQL = """
        INSERT INTO deals (deal_id, dealer_id, segment, first_stage, attributes)
        SELECT i.deal_id, i.dealer_id, i.segment, i.stage, COALESCE(i.attributes::jsonb, '{}')
          FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
               AS i(deal_id, dealer_id, segment, stage, attributes)
         ORDER BY i.deal_id
        ON CONFLICT (deal_id) DO NOTHING
        """

    /// Inserts the deals and, only if every one of them was new, advances the stratum cursors: one statement,
    /// so a batch that meets an existing deal takes no slot. Returns the cursors' new ends (no rows when a
    /// deal existed).
    private static let insertNewDealsAndTakeSlotsSQL = """
        WITH new_deals AS (
        \(insertDealsSQL)
        RETURNING 1
        )
        \(EnrollmentWrites.cursorUpsert(firstParameter: 6, condition: "(SELECT count(*) FROM new_deals) = $9"))
        """

    private func dealColumns(_ decisions: [DealDecision]) throws -> [any PGEncodable] {
        [PGArrayLiteral(decisions.map(\.dealID)), PGArrayLiteral(decisions.map(\.canonical.dealerID)),
         PGArrayLiteral(decisions.map(\.canonical.segment)), PGArrayLiteral(decisions.map(\.firstStage)),
         PGArrayLiteral(try decisions.map { try $0.attributes.map { try PGJSON(encoding: $0).text } })]
    }

    /// The common case — every deal of the batch is new and no exclusion group needs a choice — in two round
    /// trips: BEGIN and one statement inserting the deals and taking the slots (only if every deal was new);
    /// then the assignments and the COMMIT. With `verifying`, the running hypotheses of the batch's stages are
    /// read in the same first round trip and must be exactly those plans. Otherwise — a deal existed (another
    /// batch or process created it since it was decided) or the hypotheses changed — it rolls back (nothing
    /// taken) and answers nil, and the general path runs.
    private func enrollNewDeals(_ connection: PGConnection, _ decisions: [DealDecision], verifying running: [EnrollmentPlan]?)
        throws -> [(DealDecision, [StoredAssignment])]?
    {
        guard decisions.allSatisfy({ !$0.dealWasStored && $0.groupChoices.isEmpty }) else { return nil }
        let decisions = decisions.sorted { $0.dealID < $1.dealID }
        var writes = EnrollmentWrites(decisions, cache: cache)
        var statements = [PGStatement("BEGIN")]
        if running != nil {
            statements.append(PGStatement(
                "SELECT key::text, plan_hash FROM hypotheses WHERE status = 'running' AND stage_key = ANY($1::text[])",
                [PGArrayLiteral(Array(Set(requests.map(\.stage))))], planning: .reusable))
        }
        let write: PGStatement
        if let advances = writes.cursorAdvances {
            write = PGStatement(
                Self.insertNewDealsAndTakeSlotsSQL, try dealColumns(decisions) + advances + [decisions.count],
                planning: .reusable)
        } else {
            write = try insertDeals(decisions)  // hash hypotheses only: no slots
        }
        statements.append(write)
        var proven = true
        do {
            let takesSlots = writes.cursorAdvances != nil
            try connection.pipeline(statements) { index, result in
                if index == statements.count - 1 {
                    if !takesSlots {
                        proven = proven && result.rowCount == decisions.count
                    } else if result.rowCount == 0 {
                        proven = false
                    } else {
                        try writes.takeSlots(result)
                    }
                } else if index == 1, let running {
                    let seen = Set(try result.rows { try $0.decode(String.self, 0) + "\u{0}" + ($0.decodeIfPresent(String.self, 1) ?? "") })
                    proven = proven && seen == Set(running.map { $0.key + "\u{0}" + $0.planHash })
                }
            }
            guard proven else {
                try connection.simpleQuery("ROLLBACK")
                return nil
            }
            try connection.pipeline(writes.finalStatements + [PGStatement("COMMIT")])
            return writes.assignments
        } catch {
            if !connection.isBroken, connection.isInTransaction { try? connection.simpleQuery("ROLLBACK") }
            throw error
        }
    }

    /// Re-reads deals that existed before this transaction, locking them, with their assignments and claims.
    private func lockAndRead(_ connection: PGConnection, dealIDs: [String]) throws -> [String: DealState] {
        var states: [String: DealState] = [:]
        let ids = PGArrayLiteral(dealIDs)
        _ = try connection.query(
            "SELECT deal_id::text, dealer_id::text, segment FROM deals WHERE deal_id = ANY($1::text[]) ORDER BY deal_id FOR UPDATE",
            [ids], planning: .reusable
        ).rows { row in
            states[try row.decode(String.self, 0)] = DealState(
                deal: StoredDeal(dealerID: try row.decode(String.self, 1), segment: try row.decodeIfPresent(String.self, 2)))
        }
        _ = try connection.query(
            """
            SELECT 'a', x.deal_id::text, x.hypothesis_key::text, x.arm::text, r.is_control::text
              FROM assignments x JOIN arms r ON r.hypothesis_key = x.hypothesis_key AND r.name = x.arm
             WHERE x.deal_id = ANY($1::text[])
            UNION ALL
            SELECT 'c', c.deal_id::text, c.exclusion_group::text, c.hypothesis_key::text, NULL
              FROM exclusion_claims c WHERE c.deal_id = ANY($1::text[])
            UNION ALL
            SELECT DISTINCT 'x', e.deal_id::text, NULL, NULL, NULL FROM events e
             WHERE e.deal_id = ANY($1::text[]) AND e.type IN ('closed_won', 'closed_lost')
            """, [ids], planning: .reusable
        ).rows { row in
            let id = try row.decode(String.self, 1)
            switch try row.decode(String.self, 0) {
            case "a":
                states[id, default: DealState()].assignments.append(StoredAssignment(
                    hypothesisKey: try row.decode(String.self, 2), arm: try row.decode(String.self, 3),
                    isControl: try row.decode(String.self, 4) == "true"))
            case "x":
                states[id, default: DealState()].closed = true
            default:
                states[id, default: DealState()].claims[try row.decode(String.self, 2)] = try row.decode(String.self, 3)
            }
        }
        return states
    }

    /// The enrollment transaction's body. Returns each deal's decision (possibly revised after locking) and
    /// its assignments after enrollment.
    private func enroll(
        _ connection: PGConnection, _ decisions: [DealDecision], _ running: [EnrollmentPlan], _ indexesByDeal: [String: [Int]]
    ) throws -> ([(DealDecision, [StoredAssignment])], [PGStatement]) {
        var decisions = decisions.sorted { $0.dealID < $1.dealID }

        // New deals: the unique index serializes a concurrent insert of the same deal behind ours.
        let insert = try insertDeals(decisions)
        let inserted = Set(try connection.query(insert.sql, insert.parameters, planning: insert.planning).rows {
            try $0.decode(String.self, 0)
        })

        // Deals that already existed (maybe committed a moment ago by another batch): lock, then decide again.
        let existing = decisions.map(\.dealID).filter { !inserted.contains($0) }
        if !existing.isEmpty {
            let states = try lockAndRead(connection, dealIDs: existing)
            for index in decisions.indices where !inserted.contains(decisions[index].dealID) {
                let dealID = decisions[index].dealID
                decisions[index] = decide(dealID, indexesByDeal[dealID]!, states[dealID] ?? DealState(), running)
            }
        }

        try chooseWithinExclusionGroups(connection, &decisions)

        var writes = EnrollmentWrites(decisions, cache: cache)
        if let slots = writes.slotStatement {
            try writes.takeSlots(connection.query(slots.sql, slots.parameters, planning: slots.planning))
        }
        // Sent with the COMMIT in one pipeline (see `transaction`).
        return (writes.assignments, writes.finalStatements)
    }

    /// BEGIN, `body`, then `body`'s final writes and the COMMIT in one pipelined round trip; ROLLBACK on error.
    private func transaction<T>(_ connection: PGConnection, _ body: (PGConnection) throws -> (T, [PGStatement])) throws -> T {
        try connection.simpleQuery("BEGIN")
        do {
            let (value, tail) = try body(connection)
            try connection.pipeline(tail + [PGStatement("COMMIT")])
            return value
        } catch {
            if !connection.isBroken { try? connection.simpleQuery("ROLLBACK") }
            throw error
        }
    }

    /// Picks one hypothesis per unclaimed exclusion group: the one with the fewest deals so far (counting this
    /// batch's choices), ties broken by `HashAssignment.exclusionRank`.
    private func chooseWithinExclusionGroups(_ connection: PGConnection, _ decisions: inout [DealDecision]) throws {
        let candidates = Set(decisions.flatMap { $0.groupChoices.flatMap { $0.map(\.key) } })
        guard !candidates.isEmpty else { return }
        var enrolled: [String: Int] = [:]
        _ = try connection.query(
            "SELECT hypothesis_key::text, count(*) FROM assignments WHERE hypothesis_key = ANY($1::text[]) GROUP BY 1",
            [PGArrayLiteral(Array(candidates))]
        ).rows { enrolled[try $0.decode(String.self, 0)] = try $0.decode(Int.self, 1) }
        for index in decisions.indices {
            for group in decisions[index].groupChoices {
                let dealID = decisions[index].dealID
                let chosen = group.min { a, b in
                    let (countA, countB) = (enrolled[a.key, default: 0], enrolled[b.key, default: 0])
                    if countA != countB { return countA < countB }
                    return HashAssignment.exclusionRank(dealID: dealID, hypothesisKey: a.key)
                        < HashAssignment.exclusionRank(dealID: dealID, hypothesisKey: b.key)
                }!
                enrolled[chosen.key, default: 0] += 1
                decisions[index].enroll.append(chosen)
            }
            decisions[index].groupChoices = []
        }
    }
}
