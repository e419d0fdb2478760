import Foundation
import Postgres
import Testing

@testable import JourneyLab
import Stats
import Synchronization

/// `Scheduler.assign` against a real PostgreSQL: balance, concurrency, idempotency, eligibility, exclusion.
@Suite("Scheduler assign")
struct SchedulerAssignTests {
    /// Checks a block hypothesis's stored assignments: in every stratum the slots are exactly 0..<n, each arm is
    /// the regenerated sequence's, and after every prefix (each number of enrollments) every arm's count is
    /// within the open block of the planned ratio.
    static func checkBlocks(_ fixture: SchedulerFixture, _ hypothesis: Hypothesis, expectedDeals: Int? = nil) throws {
        let rows = try fixture.assignments(hypothesis.key)
        if let expectedDeals { #expect(rows.count == expectedDeals) }
        let weights = hypothesis.plan.arms.map(\.weight)
        let total = weights.reduce(0, +)
        let names = hypothesis.plan.arms.map(\.name)
        for (stratum, group) in Dictionary(grouping: rows, by: \.stratum) {
            let slots = group.compactMap(\.slot).sorted()
            #expect(slots == Array(0..<group.count), "stratum \(stratum): slots used once, no gaps")
            var sequence = BlockSequence(seed: hypothesis.plan.seed, stratum: stratum, weights: weights)
            var counts = [Int](repeating: 0, count: weights.count)
            for row in group.sorted(by: { $0.slot! < $1.slot! }) {
                let expected = names[sequence.arm(at: row.slot!)]
                #expect(row.arm == expected, "stratum \(stratum) slot \(row.slot!): stored \(row.arm), sequence \(expected)")
                counts[names.firstIndex(of: row.arm)!] += 1
                let n = row.slot! + 1
                // Full blocks so far hold the exact ratio; the open block adds at most its own share.
                let block = sequence.blocks[sequence.blockIndex(containing: row.slot!)]
                let fullSlots = block.start
                for (arm, weight) in weights.enumerated() {
                    let full = fullSlots / total * weight
                    let openShare = block.arms.count / total * weight
                    #expect(counts[arm] >= full && counts[arm] - full <= openShare, "stratum \(stratum) after \(n): arm \(arm)")
                    // Independent of the sequence code: never further from the ratio than the largest block.
                    #expect(abs(Double(counts[arm]) - Double(n * weight) / Double(total)) <= Double(3 * total))
                }
            }
        }
    }

    @Test("stratified blocks stay balanced after any number of enrollments (10 dealers)", arguments: [[1, 1], [1, 4]])
    func balance(weights: [Int]) async throws {
        let fixture = try SchedulerFixture()
        let hypothesis = try fixture.addHypothesis("balance", weights: weights, seed: 31_337)
        let scheduler = fixture.scheduler()
        var generator = SplitMix(seed: 9)
        for index in 0..<400 {
            let dealer = "dealer-\(generator.next() % 10)"
            let result = try await scheduler.assign(
                AssignmentRequest(dealID: "D-\(index)", dealerID: dealer, stage: "first-visit"), actor: "test")
            #expect(result.assignments.count == 1)
        }
        try Self.checkBlocks(fixture, hypothesis, expectedDeals: 400)
        // Each dealer's split is near the planned ratio (10 strata, at most one open block each).
        let treated = try fixture.count("SELECT count(*) FROM assignments WHERE arm = 'treatment'")
        let expected = 400 * weights[1] / weights.reduce(0, +)
        #expect(abs(treated - expected) <= 10 * 3 * weights.reduce(0, +) / 2)
        await fixture.shutdown()
    }

    @Test("64 concurrent requests for one deal get one arm, one row and one slot")
    func sameDealConcurrently() async throws {
        let fixture = try SchedulerFixture(poolSize: 8)
        try fixture.addHypothesis("one-deal")
        let scheduler = fixture.scheduler()
        let results = try await withThrowingTaskGroup(of: AssignmentResult.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    try await scheduler.assign(AssignmentRequest(dealID: "D-1", dealerID: "dealer-1", stage: "first-visit"), actor: "test")
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 64)
        #expect(Set(results.map { $0.assignments.map(\.arm) }).count == 1)
        #expect(results.allSatisfy { $0.assignments.count == 1 })
        #expect(try fixture.count("SELECT count(*) FROM assignments") == 1)
        #expect(try fixture.count("SELECT next_slot FROM randomization_cursors") == 1, "no slot wasted")
        await fixture.shutdown()
    }

    @Test("2,000 deals from 32 concurrent tasks across 8 dealers: every slot used once, balance holds")
    func manyDealsConcurrently() async throws {
        let fixture = try SchedulerFixture(poolSize: 8)
        let hypothesis = try fixture.addHypothesis("many", seed: 4242)
        let scheduler = fixture.scheduler(.init(maxConcurrentBatches: 4, maxBatchSize: 64))
        let arms = try await withThrowingTaskGroup(of: [String: String].self) { group in
            for task in 0..<32 {
                group.addTask {
                    var arms: [String: String] = [:]
                    for index in stride(from: task, to: 2_000, by: 32) {
                        let request = AssignmentRequest(dealID: "D-\(index)", dealerID: "dealer-\(index % 8)", stage: "first-visit")
                        let result = try await scheduler.assign(request, actor: "test")
                        arms[request.dealID] = result.assignments.first?.arm
                    }
                    return arms
                }
            }
            return try await group.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
        }
        #expect(arms.count == 2_000)
        try Self.checkBlocks(fixture, hypothesis, expectedDeals: 2_000)
        let stored = Dictionary(uniqueKeysWithValues: try fixture.assignments("many").map { ($0.deal, $0.arm) })
        #expect(stored == arms, "every caller was told the committed arm")
        #expect(try fixture.count("SELECT sum(next_slot)::int8 FROM randomization_cursors") == 2_000)
        await fixture.shutdown()
    }

    @Test("two schedulers (two server processes) racing on the same new deals: one arm per deal, no slot lost")
    func twoSchedulersRaceOnTheSameDeals() async throws {
        let fixture = try SchedulerFixture(poolSize: 8)
        let hypothesis = try fixture.addHypothesis("race", seed: 77)
        // Separate schedulers do not group each other's requests: a deal one of them inserts between the
        // other's lookup and insert sends the other down its rollback-and-retry path.
        let schedulers = [fixture.scheduler(), fixture.scheduler()]
        let answers = try await withThrowingTaskGroup(of: [String: String].self) { group in
            for worker in 0..<16 {
                group.addTask {
                    var arms: [String: String] = [:]
                    let scheduler = schedulers[worker % 2]
                    // Both schedulers walk the same 300 deals, in different orders.
                    let order = worker % 2 == 0 ? Array(stride(from: worker / 2, to: 300, by: 8))
                        : Array(stride(from: worker / 2, to: 300, by: 8)).reversed()
                    for index in order {
                        let request = AssignmentRequest(dealID: "D-\(index)", dealerID: "dealer-\(index % 4)", stage: "first-visit")
                        arms[request.dealID] = try await scheduler.assign(request, actor: "test").assignments.first?.arm
                    }
                    return arms
                }
            }
            return try await group.reduce(into: [[String: String]]()) { $0.append($1) }
        }
        let stored = Dictionary(uniqueKeysWithValues: try fixture.assignments("race").map { ($0.deal, $0.arm) })
        #expect(stored.count == 300)
        for answer in answers {
            for (deal, arm) in answer { #expect(stored[deal] == arm, "deal \(deal): told \(arm), stored \(stored[deal] ?? "nothing")") }
        }
        #expect(answers.reduce(0) { $0 + $1.count } == 600, "each deal answered to both schedulers")
        try Self.checkBlocks(fixture, hypothesis, expectedDeals: 300)
        #expect(try fixture.count("SELECT sum(next_slot)::int8 FROM randomization_cursors") == 300, "rolled-back slots return")
        await fixture.shutdown()
    }

    @Test("a deal another writer creates between the lookup and the insert is re-read: its stored dealer wins")
    func dealCreatedAfterTheLookup() async throws {
        let fixture = try SchedulerFixture()
        try fixture.addHypothesis("sneak")
        // Deterministically, what a concurrent writer can do: the scheduler's own deals insert first inserts
        // D-sneak for dealer-other (a statement trigger), so the deal the lookup did not see now exists.
        let connection = try fixture.database.connect()
        try connection.simpleQuery(
            """
            CREATE FUNCTION sneak_in_deal() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF pg_trigger_depth() = 1 THEN
                    INSERT INTO deals (deal_id, dealer_id) VALUES ('D-sneak', 'dealer-other') ON CONFLICT DO NOTHING;
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER sneak BEFORE INSERT ON deals FOR EACH STATEMENT EXECUTE FUNCTION sneak_in_deal();
            """)
        let scheduler = fixture.scheduler()
        do {
            _ = try await scheduler.assign(AssignmentRequest(dealID: "D-sneak", dealerID: "dealer-1", stage: "first-visit"), actor: "test")
            Issue.record("the stored deal belongs to dealer-other: the request must be refused")
        } catch let error as JourneyLabError {
            #expect(error.kind == .conflict)
            #expect(error.message.contains("dealer-other"))
        }
        #expect(try fixture.count("SELECT count(*) FROM assignments") == 0)
        #expect(try fixture.count("SELECT COALESCE(sum(next_slot), 0)::int8 FROM randomization_cursors") == 0, "the slot taken went back")
        await fixture.shutdown()
    }

    @Test("the fast path for unseen deals re-checks its guesses: hypotheses paused or started since the last lookup")
    func fastPathSeesHypothesisChanges() async throws {
        let fixture = try SchedulerFixture()
        try fixture.addHypothesis("first")
        let scheduler = fixture.scheduler()
        // The first deal goes through the lookup, which teaches the scheduler what runs at the stage.
        let warm = try await scheduler.assign(AssignmentRequest(dealID: "D-0", dealerID: "d1", stage: "first-visit"), actor: "t")
        #expect(warm.assignments.map(\.hypothesisKey) == ["first"])
        // Behind its back: the hypothesis pauses and another one starts at the same stage.
        try fixture.database.connect().execute("UPDATE hypotheses SET status = 'paused' WHERE key = 'first'")
        try fixture.addHypothesis("second")
        #expect(scheduler.cache.fastPathHits.load(ordering: .relaxed) == 0, "nothing known yet: the lookup answered")
        let next = try await scheduler.assign(AssignmentRequest(dealID: "D-1", dealerID: "d1", stage: "first-visit"), actor: "t")
        #expect(next.assignments.map(\.hypothesisKey) == ["second"], "a paused hypothesis enrolls no one; a started one does")
        #expect(try fixture.count("SELECT count(*) FROM assignments WHERE hypothesis_key = 'first'") == 1)
        #expect(scheduler.cache.fastPathMisses.load(ordering: .relaxed) == 1, "the stale guess was tried and refused")
        // Now learned: further unseen deals take the fast path with the new set.
        for index in 2..<6 {
            let result = try await scheduler.assign(
                AssignmentRequest(dealID: "D-\(index)", dealerID: "d\(index % 2)", stage: "first-visit"), actor: "t")
            #expect(result.assignments.map(\.hypothesisKey) == ["second"])
        }
        #expect(scheduler.cache.fastPathHits.load(ordering: .relaxed) == 4)
        #expect(scheduler.cache.fastPathMisses.load(ordering: .relaxed) == 1)
        // A repeat was handled here lately: the lookup answers it, without trying the fast path.
        _ = try await scheduler.assign(AssignmentRequest(dealID: "D-3", dealerID: "d1", stage: "first-visit"), actor: "t")
        #expect(scheduler.cache.fastPathHits.load(ordering: .relaxed) == 4)
        #expect(scheduler.cache.fastPathMisses.load(ordering: .relaxed) == 1)
        #expect(try fixture.count("SELECT sum(next_slot)::int8 FROM randomization_cursors") == 6, "no slot taken by the wrong guess")
        await fixture.shutdown()
    }

    @Test("a deal another process enrolled is answered with its stored arm by a scheduler that never saw it",
          arguments: [Hypothesis.Randomization.block, .hash])
    func fastPathMeetsAnotherProcessesDeal(randomization: Hypothesis.Randomization) async throws {
        let fixture = try SchedulerFixture()
        try fixture.addHypothesis("shared", randomization: randomization)
        let (mine, theirs) = (fixture.scheduler(), fixture.scheduler())
        _ = try await mine.assign(AssignmentRequest(dealID: "D-warm", dealerID: "d1", stage: "first-visit"), actor: "t")
        var told: [String: String] = [:]
        for index in 0..<30 {
            let request = AssignmentRequest(dealID: "D-\(index)", dealerID: "d\(index % 3)", stage: "first-visit")
            told[request.dealID] = try await theirs.assign(request, actor: "t").assignments.first?.arm
        }
        // Each deal, new to `mine`, is guessed new: the guess fails inside the transaction and the lookup answers.
        for index in 0..<10 {
            let request = AssignmentRequest(dealID: "D-\(index)", dealerID: "d\(index % 3)", stage: "first-visit")
            #expect(try await mine.assign(request, actor: "t").assignments.first?.arm == told[request.dealID])
        }
        #expect(mine.cache.fastPathMisses.load(ordering: .relaxed) == 10, "each guess was tried, and refused in the database")
        #expect(mine.cache.fastPathHits.load(ordering: .relaxed) == 0)
        // Concurrent batches mixing unseen new deals with unseen existing ones: every answer right, every slot used once.
        let mixed = try await withThrowingTaskGroup(of: (String, String?).self) { group in
            for index in 20..<45 {
                group.addTask {
                    let request = AssignmentRequest(dealID: "D-\(index)", dealerID: "d\(index % 3)", stage: "first-visit")
                    return (request.dealID, try await mine.assign(request, actor: "t").assignments.first?.arm)
                }
            }
            return try await group.reduce(into: [String: String?]()) { $0[$1.0] = $1.1 }
        }
        let stored = Dictionary(uniqueKeysWithValues: try fixture.assignments("shared").map { ($0.deal, $0.arm) })
        #expect(stored.count == 46)
        for (deal, arm) in mixed { #expect(stored[deal] == arm) }
        for (deal, arm) in told { #expect(stored[deal] == arm) }
        if randomization == .block {
            try Self.checkBlocks(fixture, try #require(try HypothesisStore.load("shared", fixture.database.connect())), expectedDeals: 46)
        } else {
            // Hash arms are the pure function's, whoever wrote them.
            let plan = try #require(try HypothesisStore.load("shared", fixture.database.connect())).plan
            for (deal, arm) in stored {
                #expect(arm == ["control", "treatment"][HashAssignment.armIndex(dealID: deal, hypothesisKey: "shared", seed: plan.seed, weights: [1, 1])])
            }
        }
        #expect(try fixture.count("SELECT COALESCE(sum(next_slot), 0)::int8 FROM randomization_cursors") == (randomization == .block ? 46 : 0))
        await fixture.shutdown()
    }

    @Test("repeats return the same arms without new rows; a repeat may omit the segment")
    func idempotent() async throws {
        let fixture = try SchedulerFixture()
        try fixture.addHypothesis("a")
        try fixture.addHypothesis("b", randomization: .hash)
        let scheduler = fixture.scheduler()
        let request = AssignmentRequest(dealID: "D-9", dealerID: "dealer-3", stage: "first-visit", segment: "family-men-30")
        let first = try await scheduler.assign(request, actor: "test")
        #expect(first.assignments.map(\.hypothesisKey) == ["a", "b"])
        #expect(first.assignments.allSatisfy { $0.apply == ($0.arm != "control") })
        for _ in 0..<5 { #expect(try await scheduler.assign(request, actor: "test") == first) }
        var withoutSegment = request
        withoutSegment.segment = nil
        #expect(try await scheduler.assign(withoutSegment, actor: "test") == first)
        #expect(try fixture.count("SELECT count(*) FROM assignments") == 2)
        #expect(try fixture.count("SELECT count(*) FROM deals WHERE segment = 'family-men-30' AND first_stage = 'first-visit'") == 1)
        // The hash arm is the pure function's; block slots are recorded, hash ones are not.
        let hashPlan = try #require(try HypothesisStore.load("b", fixture.database.connect())).plan
        let hashArm = HashAssignment.armIndex(dealID: "D-9", hypothesisKey: "b", seed: hashPlan.seed, weights: [1, 1])
        #expect(first.assignments[1].arm == ["control", "treatment"][hashArm])
        #expect(try fixture.count("SELECT count(*) FROM assignments WHERE hypothesis_key = 'b' AND slot IS NULL") == 1)
        await fixture.shutdown()
    }

    @Test("a repeat naming another dealer or segment is a conflict naming both values, and stores nothing")
    func conflicts() async throws {
        let fixture = try SchedulerFixture()
        try fixture.addHypothesis("a")
        let scheduler = fixture.scheduler()
        _ = try await scheduler.assign(AssignmentRequest(dealID: "D-1", dealerID: "dealer-1", stage: "first-visit", segment: "s1"), actor: "t")
        let dealer = await #expect(throws: JourneyLabError.self) {
            try await scheduler.assign(AssignmentRequest(dealID: "D-1", dealerID: "dealer-2", stage: "first-visit"), actor: "t")
        }
        #expect(dealer?.kind == .conflict)
        #expect(dealer?.message.contains("dealer-1") == true && dealer?.message.contains("dealer-2") == true)
        let segment = await #expect(throws: JourneyLabError.self) {
            try await scheduler.assign(AssignmentRequest(dealID: "D-1", dealerID: "dealer-1", stage: "test-drive", segment: "s2"), actor: "t")
        }
        #expect(segment?.kind == .conflict)
        #expect(segment?.message.contains("s1") == true && segment?.message.contains("s2") == true)
        #expect(try fixture.count("SELECT count(*) FROM deals WHERE dealer_id = 'dealer-1' AND segment = 's1'") == 1)
        #expect(try fixture.count("SELECT count(*) FROM assignments") == 1)
        // Invalid input never reaches the database.
        let invalid = await #expect(throws: JourneyLabError.self) {
            try await scheduler.assign(AssignmentRequest(dealID: "D-2", dealerID: "dealer-1", stage: "First Visit"), actor: "t")
        }
        #expect(invalid?.kind == .invalidInput && invalid?.field == "stage")
        await fixture.shutdown()
    }

    @Test("conflicting and valid requests in one batch: only the conflicting one fails")
    func conflictInBatch() async throws {
        let fixture = try SchedulerFixture(poolSize: 2)
        try fixture.addHypothesis("a")
        // One batch at a time, so concurrent requests queue up into shared batches.
        let scheduler = fixture.scheduler(.init(maxConcurrentBatches: 1))
        _ = try await scheduler.assign(AssignmentRequest(dealID: "D-16", dealerID: "dealer-1", stage: "first-visit"), actor: "t")
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<40 {
                group.addTask {
                    let dealer = index == 17 ? "dealer-x" : "dealer-\(index % 3)"
                    let deal = index == 17 ? "D-16" : "D-\(index)"
                    do {
                        _ = try await scheduler.assign(AssignmentRequest(dealID: deal, dealerID: dealer, stage: "first-visit"), actor: "t")
                        return (index, true)
                    } catch { return (index, false) }
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.filter { !$0.value }.map(\.key) == [17])
        #expect(try fixture.count("SELECT count(*) FROM assignments") == 39)
        await fixture.shutdown()
    }

    @Test("only running hypotheses of the reported stage whose segment filter admits the deal enroll it")
    func eligibility() async throws {
        let fixture = try SchedulerFixture(stages: ["first-visit", "test-drive"])
        try fixture.addJourney("car-brand-y", stages: ["first-visit"])
        try fixture.addHypothesis("at-visit")
        try fixture.addHypothesis("other-journey-same-stage", journey: "car-brand-y")
        try fixture.addHypothesis("at-test-drive", stage: "test-drive")
        try fixture.addHypothesis("families-only", segmentFilter: "family-men-30")
        for status: Hypothesis.Status in [.draft, .scheduled, .paused, .ready, .stopped, .expired, .concluded] {
            try fixture.addHypothesis("status-\(status.rawValue)", status: status)
        }
        let scheduler = fixture.scheduler()
        let family = try await scheduler.assign(
            AssignmentRequest(dealID: "D-1", dealerID: "d1", stage: "first-visit", segment: "family-men-30"), actor: "t")
        #expect(family.assignments.map(\.hypothesisKey) == ["at-visit", "families-only", "other-journey-same-stage"])
        let other = try await scheduler.assign(
            AssignmentRequest(dealID: "D-2", dealerID: "d1", stage: "first-visit", segment: "young-women"), actor: "t")
        #expect(other.assignments.map(\.hypothesisKey) == ["at-visit", "other-journey-same-stage"])
        let none = try await scheduler.assign(AssignmentRequest(dealID: "D-3", dealerID: "d1", stage: "first-visit"), actor: "t")
        #expect(none.assignments.map(\.hypothesisKey) == ["at-visit", "other-journey-same-stage"])

        // A stage with no running hypothesis enrolls nothing, but the deal is known from then on (its events are
        // stored, flagged as not enrolled) and bound to its dealer.
        let nowhere = try await scheduler.assign(AssignmentRequest(dealID: "D-4", dealerID: "d1", stage: "delivery"), actor: "t")
        #expect(nowhere.assignments.isEmpty)
        #expect(try fixture.count("SELECT count(*) FROM deals WHERE deal_id = 'D-4' AND dealer_id = 'd1' AND first_stage = 'delivery'") == 1)
        #expect(try fixture.count("SELECT count(*) FROM assignments WHERE deal_id = 'D-4'") == 0)
        let ingested = try await EventIngestor(pool: fixture.pool).ingest(
            [EventInput(dealID: "D-4", type: "stage_reached", stage: "delivery")],
            principal: Principal(keyID: "key_test", role: .dealer, dealerID: "d1"))
        #expect(ingested.accepted == 1 && ingested.unenrolled == 1)
        // Once its close is reported, a deal joins no more hypotheses: its outcome is known before any arm.
        _ = try await EventIngestor(pool: fixture.pool).ingest(
            [EventInput(dealID: "D-4", type: "closed_lost")], principal: Principal(keyID: "key_test", role: .dealer, dealerID: "d1"))
        let closed = try await scheduler.assign(AssignmentRequest(dealID: "D-4", dealerID: "d1", stage: "first-visit"), actor: "t")
        #expect(closed.assignments.isEmpty)
        #expect(try fixture.count("SELECT count(*) FROM assignments WHERE deal_id = 'D-4'") == 0)
        // …while a closed deal keeps the arms it had.
        _ = try await EventIngestor(pool: fixture.pool).ingest(
            [EventInput(dealID: "D-2", type: "closed_won")], principal: Principal(keyID: "key_test", role: .dealer, dealerID: "d1"))
        let keeps = try await scheduler.assign(AssignmentRequest(dealID: "D-2", dealerID: "d1", stage: "test-drive"), actor: "t")
        #expect(keeps.assignments == other.assignments, "no at-test-drive arm for a deal already won")
        await #expect(throws: JourneyLabError.self) {
            _ = try await scheduler.assign(AssignmentRequest(dealID: "D-4", dealerID: "d2", stage: "first-visit"), actor: "t")
        }

        // Later stage: the new stage's hypotheses join, the earlier arms stay.
        let later = try await scheduler.assign(AssignmentRequest(dealID: "D-1", dealerID: "d1", stage: "test-drive"), actor: "t")
        #expect(later.assignments.map(\.hypothesisKey) == ["at-test-drive", "at-visit", "families-only", "other-journey-same-stage"])
        #expect(Array(later.assignments.filter { $0.hypothesisKey != "at-test-drive" }) == family.assignments)

        // Never retroactively: a hypothesis started later does not touch deals already past its stage.
        try fixture.addHypothesis("late", stage: "test-drive")
        #expect(try fixture.count("SELECT count(*) FROM assignments WHERE hypothesis_key = 'late'") == 0)
        #expect(try fixture.count("SELECT count(*) FROM assignments WHERE hypothesis_key LIKE 'status-%'") == 0)
        await fixture.shutdown()
    }

    @Test("hypotheses sharing an exclusion group never share a deal and fill evenly")
    func exclusionGroups() async throws {
        let fixture = try SchedulerFixture()
        try fixture.addHypothesis("email", exclusionGroup: "contact")
        try fixture.addHypothesis("sms", exclusionGroup: "contact")
        try fixture.addHypothesis("call", randomization: .hash, exclusionGroup: "contact")
        try fixture.addHypothesis("later-call", stage: "test-drive", exclusionGroup: "contact")
        try fixture.addHypothesis("independent")
        let scheduler = fixture.scheduler()
        for index in 0..<90 {
            let result = try await scheduler.assign(
                AssignmentRequest(dealID: "D-\(index)", dealerID: "dealer-\(index % 4)", stage: "first-visit"), actor: "t")
            let keys = result.assignments.map(\.hypothesisKey)
            #expect(keys.count == 2 && keys.contains("independent"))
        }
        let counts = try fixture.database.connect().query(
            "SELECT hypothesis_key::text, count(*) FROM exclusion_claims GROUP BY 1 ORDER BY 1"
        ).rows { (try $0.decode(String.self, 0), try $0.decode(Int.self, 1)) }
        #expect(counts.map(\.1) == [30, 30, 30], "fewest-first fills the group evenly: \(counts)")
        #expect(try fixture.count(
            "SELECT count(*) FROM (SELECT deal_id FROM assignments WHERE hypothesis_key IN ('email','sms','call') GROUP BY deal_id HAVING count(*) > 1) x") == 0)
        // A claimed deal reaching the next stage stays out of the group's hypothesis there.
        let later = try await scheduler.assign(AssignmentRequest(dealID: "D-0", dealerID: "dealer-0", stage: "test-drive"), actor: "t")
        #expect(!later.assignments.map(\.hypothesisKey).contains("later-call"))
        // An unclaimed deal first seen at the later stage joins it.
        let fresh = try await scheduler.assign(AssignmentRequest(dealID: "D-new", dealerID: "dealer-0", stage: "test-drive"), actor: "t")
        #expect(fresh.assignments.map(\.hypothesisKey) == ["later-call"])
        await fixture.shutdown()
    }

    @Test("the randomization listing regenerates every stratum and marks each used slot with its deal")
    func listing() async throws {
        let fixture = try SchedulerFixture()
        let hypothesis = try fixture.addHypothesis("listed", weights: [1, 4], seed: 7)
        let scheduler = fixture.scheduler()
        for index in 0..<23 {
            _ = try await scheduler.assign(AssignmentRequest(dealID: "D-\(index)", dealerID: "dealer-\(index % 2)", stage: "first-visit"), actor: "t")
        }
        let listing = try RandomizationListing.load("listed", fixture.database.connect())
        #expect(listing.mismatches.isEmpty)
        #expect(listing.entries.filter { $0.dealID != nil }.count == 23)
        for stratum in ["dealer-0", "dealer-1"] {
            let entries = listing.entries.filter { $0.stratum == stratum }
            var sequence = BlockSequence(seed: hypothesis.plan.seed, stratum: stratum, weights: [1, 4])
            #expect(entries.map(\.arm) == sequence.prefix(entries.count).map { ["control", "treatment"][$0] })
            #expect(entries.count % 5 == 0, "listed through the end of the open block")
            let used = entries.filter { $0.dealID != nil }.map { $0.slot! }
            #expect(used == Array(0..<used.count))
        }
        // As printed: a line per slot through the open block, the used ones naming their deal.
        let lines = listing.textLines()
        let dealer0 = listing.entries.filter { $0.stratum == "dealer-0" }
        #expect(lines.contains("stratum dealer-0") && lines.contains("stratum dealer-1"))
        #expect(lines.filter { $0.hasPrefix("  slot ") }.count == listing.entries.count)
        #expect(lines.contains("  slot 0 (block 0, size \(dealer0[0].blockSize!)): \(dealer0[0].arm) ← D-0"), "\(lines)")
        #expect(lines.filter { $0.hasSuffix("(free)") }.count == listing.entries.count - 23)
        // Tampering with a stored arm shows up as a mismatch.
        let connection = try fixture.database.connect()
        try connection.execute(
            "UPDATE assignments SET arm = CASE arm WHEN 'control' THEN 'treatment' ELSE 'control' END WHERE deal_id = 'D-0'")
        let tampered = try RandomizationListing.load("listed", connection)
        #expect(tampered.mismatches.map(\.dealID) == ["D-0"])
        #expect(tampered.textLines().filter { $0.contains("MISMATCH") }.count == 1)
        await fixture.shutdown()
    }

    @Test("a hash hypothesis's listing names each enrolled deal and its arm, without slots")
    func hashListing() async throws {
        let fixture = try SchedulerFixture()
        _ = try fixture.addHypothesis("hashed", randomization: .hash, seed: 11)
        let scheduler = fixture.scheduler()
        var arms: [String: String] = [:]
        for index in 0..<6 {
            let result = try await scheduler.assign(
                AssignmentRequest(dealID: "H-\(index)", dealerID: "dealer-0", stage: "first-visit"), actor: "t")
            arms["H-\(index)"] = result.assignments.first?.arm
        }
        let listing = try RandomizationListing.load("hashed", fixture.database.connect())
        let lines = listing.textLines()
        #expect(lines[0].hasPrefix("Hypothesis hashed: hash randomization"))
        #expect(!lines.contains { $0.contains("slot") || $0.hasPrefix(" :") }, "\(lines)")
        for (deal, arm) in arms { #expect(lines.contains("  \(deal) → \(arm)"), "\(deal): \(lines)") }
        await fixture.shutdown()
    }
}

/// A tiny deterministic generator for choosing test dealers.
typealias SplitMix = Stats.SplitMix64
