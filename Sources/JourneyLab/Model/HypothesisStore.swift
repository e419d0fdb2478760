import Foundation
import Postgres

/// Reads and writes hypotheses and their arms. Every method uses the caller's connection, so callers
/// choose the transaction.
public enum HypothesisStore {
    static let columns = """
        h.key, h.journey_key, h.stage_key, h.barrier_key, h.recommendation_key, h.title, h.status, h.outcome,
        h.metric, h.target_deals, h.alpha, h.power, h.baseline_rate, h.mde, h.min_days, h.max_days,
        h.randomization, h.stratify, h.looks, h.seed, h.segment_filter, h.exclusion_group, h.plan_hash,
        h.start_at, h.started_at, h.ended_at, h.created_at,
        (SELECT json_agg(json_build_object('name', a.name, 'weight', a.weight, 'isControl', a.is_control)
                         ORDER BY a.position)::text
           FROM arms a WHERE a.hypothesis_key = h.key) AS arms
        """

    /// One hypothesis, or nil. `forUpdate` locks its row until the transaction ends.
    public static func load(_ key: String, _ connection: PGConnection, forUpdate: Bool = false) throws -> Hypothesis? {
        try connection.query(
            "SELECT \(columns) FROM hypotheses h WHERE h.key = $1" + (forUpdate ? " FOR UPDATE OF h" : ""), [key]
        ).firstRow(decode)
    }

    /// Like `load`, but a missing key is a `notFound` error naming the key.
    public static func require(_ key: String, _ connection: PGConnection, forUpdate: Bool = false) throws -> Hypothesis {
        guard let hypothesis = try load(key, connection, forUpdate: forUpdate) else {
            throw JourneyLabError.notFound("no hypothesis \"\(key)\": `journeylab hypothesis list` shows the keys")
        }
        return hypothesis
    }

    /// Hypotheses matching the filters, by journey, stage position and key.
    public static func list(
        _ connection: PGConnection, journey: String? = nil, stage: String? = nil, statuses: [Hypothesis.Status]? = nil
    ) throws -> [Hypothesis] {
        try connection.query(
            """
            SELECT \(columns) FROM hypotheses h
              JOIN stages s ON s.journey_key = h.journey_key AND s.key = h.stage_key
             WHERE ($1::text IS NULL OR h.journey_key = $1) AND ($2::text IS NULL OR h.stage_key = $2)
               AND ($3::text[] IS NULL OR h.status = ANY($3::text[]))
             ORDER BY h.journey_key, s.position, h.key
            """,
            [journey, stage, statuses.map { "{" + $0.map(\.rawValue).joined(separator: ",") + "}" }]
        ).rows(decode)
    }

    /// Inserts a new hypothesis with its arms.
    /// - Throws: `JourneyLabError.conflict` when the key is taken; `.invalidInput` when the database
    ///   refuses a value (the message names the constraint).
    public static func insert(_ hypothesis: Hypothesis, _ connection: PGConnection) throws {
        let plan = hypothesis.plan
        do {
            try connection.withTransaction { connection in
                // Arms can only be written while the plan is not frozen: insert as a draft, add the arms,
                // then set the real status and plan hash.
                try connection.execute(
                    """
                    INSERT INTO hypotheses (key, journey_key, stage_key, barrier_key, recommendation_key, title, status,
                        metric, target_deals, alpha, power, baseline_rate, mde, min_days, max_days, randomization,
                        stratify, looks, seed, segment_filter, exclusion_group, start_at)
                    VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8::int4, $9::float8, $10::float8, $11::float8,
                        $12::float8, $13::int4, $14::int4, $15, $16, $17::int4, $18::int8, $19, $20, $21::timestamptz)
                    """,
                    [hypothesis.key, hypothesis.journeyKey, hypothesis.stageKey, hypothesis.barrierKey,
                     hypothesis.recommendationKey, hypothesis.title, plan.metric, plan.targetDeals, plan.alpha, plan.power,
                     plan.baselineRate, plan.mde, plan.minDays, plan.maxDays, plan.randomization.rawValue,
                     plan.stratify.rawValue, plan.looks, plan.seed, plan.segmentFilter, plan.exclusionGroup,
                     hypothesis.startAt])
                try insertArms(hypothesis.key, plan.arms, connection)
                if hypothesis.status != .draft || hypothesis.planHash != nil {
                    try connection.execute(
                        """
                        UPDATE hypotheses SET status = $2, outcome = $3, plan_hash = $4, started_at = $5::timestamptz,
                               ended_at = $6::timestamptz
                         WHERE key = $1
                        """,
                        [hypothesis.key, hypothesis.status.rawValue, hypothesis.outcome?.rawValue, hypothesis.planHash,
                         hypothesis.startedAt, hypothesis.endedAt])
                }
            }
        } catch let error as PGError where error.code == .uniqueViolation && error.constraint == "hypotheses_pkey" {
            throw JourneyLabError(.conflict, "a hypothesis with key \"\(hypothesis.key)\" already exists: choose another --key")
        }
    }

    /// Replaces the arms of a hypothesis whose plan is not frozen yet.
    public static func insertArms(_ key: String, _ arms: [Hypothesis.Arm], _ connection: PGConnection) throws {
        try connection.execute("DELETE FROM arms WHERE hypothesis_key = $1", [key])
        for (position, arm) in arms.enumerated() {
            try connection.execute(
                "INSERT INTO arms (hypothesis_key, name, position, weight, is_control) VALUES ($1, $2, $3::int4, $4::int4, $5::bool)",
                [key, arm.name, position, arm.weight, arm.isControl])
        }
    }

    static func decode(_ row: PGRow) throws -> Hypothesis {
        let armsJSON = try row.decodeIfPresent(String.self, 27) ?? "[]"
        let arms = try JSONDecoder().decode([Hypothesis.Arm].self, from: Data(armsJSON.utf8))
        let plan = Hypothesis.Plan(
            metric: try row.decode(String.self, 8), arms: arms, targetDeals: try row.decode(Int.self, 9),
            alpha: try row.decode(Double.self, 10), power: try row.decode(Double.self, 11),
            baselineRate: try row.decodeIfPresent(Double.self, 12), mde: try row.decodeIfPresent(Double.self, 13),
            minDays: try row.decode(Int.self, 14), maxDays: try row.decode(Int.self, 15),
            randomization: Hypothesis.Randomization(rawValue: try row.decode(String.self, 16)) ?? .block,
            stratify: Hypothesis.Stratification(rawValue: try row.decode(String.self, 17)) ?? .dealer,
            looks: try row.decode(Int.self, 18), seed: try row.decode(Int64.self, 19),
            segmentFilter: try row.decodeIfPresent(String.self, 20), exclusionGroup: try row.decodeIfPresent(String.self, 21))
        return Hypothesis(
            key: try row.decode(String.self, 0), journeyKey: try row.decode(String.self, 1),
            stageKey: try row.decode(String.self, 2), barrierKey: try row.decodeIfPresent(String.self, 3),
            recommendationKey: try row.decodeIfPresent(String.self, 4), title: try row.decode(String.self, 5),
            status: Hypothesis.Status(rawValue: try row.decode(String.self, 6)) ?? .draft,
            outcome: try row.decodeIfPresent(String.self, 7).flatMap(Hypothesis.Outcome.init(rawValue:)),
            plan: plan, planHash: try row.decodeIfPresent(String.self, 22), startAt: try row.decodeIfPresent(Date.self, 23),
            startedAt: try row.decodeIfPresent(Date.self, 24), endedAt: try row.decodeIfPresent(Date.self, 25),
            createdAt: try row.decodeIfPresent(Date.self, 26))
    }
}
