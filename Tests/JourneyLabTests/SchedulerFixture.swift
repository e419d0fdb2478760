import Foundation
import JourneyLab
import Postgres
import TestSupport

/// A fresh database with a journey, its stages and hypotheses to enroll deals in.
struct SchedulerFixture {
    let database: TestDatabase
    let pool: PGPool
    let clock: ManualJourneyClock

    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    init(poolSize: Int = 4, stages: [String] = ["first-visit", "test-drive"], journey: String = "car-brand-x") throws {
        database = try TestDatabase.create()
        pool = database.pool(size: poolSize)
        clock = ManualJourneyClock(Self.start)
        try addJourney(journey, stages: stages)
    }

    func addJourney(_ journey: String, stages: [String]) throws {
        let connection = try database.connect()
        try connection.execute("INSERT INTO segments (key, name) VALUES ('family-men-30', 'Family men 30+') ON CONFLICT DO NOTHING")
        try connection.execute("INSERT INTO journeys (key, segment_key, name) VALUES ($1::text, 'family-men-30', $1::text)", [journey])
        for (position, stage) in stages.enumerated() {
            try connection.execute(
                "INSERT INTO stages (journey_key, key, position, name) VALUES ($1::text, $2::text, $3::int4, $2::text)", [journey, stage, position])
        }
    }

    /// Inserts a hypothesis; running/paused/… ones get a plan hash and a start time, as the CHECKs require.
    @discardableResult
    func addHypothesis(
        _ key: String, stage: String = "first-visit", journey: String = "car-brand-x", weights: [Int] = [1, 1],
        status: Hypothesis.Status = .running, randomization: Hypothesis.Randomization = .block,
        stratify: Hypothesis.Stratification = .dealer, seed: Int64? = nil, segmentFilter: String? = nil,
        exclusionGroup: String? = nil, targetDeals: Int = 150, minDays: Int = 120, maxDays: Int = 180, startAt: Date? = nil,
        startedAt: Date? = nil
    ) throws -> Hypothesis {
        let arms = weights.enumerated().map { index, weight in
            Hypothesis.Arm(name: index == 0 ? "control" : "treatment\(index == 1 ? "" : "-\(index)")", weight: weight, isControl: index == 0)
        }
        let plan = Hypothesis.Plan(
            metric: "addon_purchased", arms: arms, targetDeals: targetDeals, minDays: minDays, maxDays: maxDays,
            randomization: randomization, stratify: stratify, seed: seed ?? Int64(key.utf8.reduce(5381) { ($0 &* 33 &+ Int($1)) % 1_000_000_007 }),
            segmentFilter: segmentFilter, exclusionGroup: exclusionGroup)
        let started = status != .draft && status != .scheduled
        let hypothesis = Hypothesis(
            key: key, journeyKey: journey, stageKey: stage, title: "Hypothesis \(key)", status: status,
            outcome: status == .concluded ? .inconclusive : nil, plan: plan,
            planHash: status == .draft ? nil : plan.sha256, startAt: startAt,
            startedAt: started ? (startedAt ?? Self.start) : nil)
        // Arms can only be inserted before the plan is frozen: insert a draft, then move it as `start` would.
        var draft = hypothesis
        (draft.status, draft.outcome, draft.planHash, draft.startedAt) = (.draft, nil, nil, nil)
        let connection = try database.connect()
        try HypothesisStore.insert(draft, connection)
        if hypothesis.status != .draft {
            try connection.execute(
                """
                UPDATE hypotheses SET status = $2, outcome = $3, plan_hash = $4, started_at = $5::timestamptz WHERE key = $1
                """,
                [key, hypothesis.status.rawValue, hypothesis.outcome?.rawValue, hypothesis.planHash, hypothesis.startedAt])
        }
        return hypothesis
    }

    func scheduler(_ options: Scheduler.Options = .init()) -> Scheduler {
        Scheduler(pool: pool, clock: clock, options: options)
    }

    /// Stored assignments of a hypothesis: stratum → slot → arm (block), and all rows.
    func assignments(_ key: String) throws -> [(deal: String, arm: String, stratum: String, slot: Int?)] {
        try database.connect().query(
            "SELECT deal_id::text, arm::text, stratum, slot FROM assignments WHERE hypothesis_key = $1 ORDER BY stratum, slot",
            [key]
        ).rows { (try $0.decode(String.self, 0), try $0.decode(String.self, 1), try $0.decode(String.self, 2), try $0.decodeIfPresent(Int.self, 3)) }
    }

    func count(_ sql: String, _ parameters: [any PGEncodable] = []) throws -> Int {
        try database.connect().query(sql, parameters).scalar(Int.self)
    }

    func shutdown() async { await pool.shutdown() }
}
