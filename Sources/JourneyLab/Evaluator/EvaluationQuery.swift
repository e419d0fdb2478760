import Foundation
import Postgres

/// The SQL side of the evaluator: one round trip returns every count the report needs, grouped by
/// arm × dealer × week of enrollment × week of resolution (at most a few thousand rows, never one per deal).
enum EvaluationQuery {
    /// One group of the aggregate.
    struct Group: Sendable {
        var arm: String
        var dealer: String
        var stratum: String
        var enrolledWeek: Date
        var resolvedWeek: Date?
        var tally: ArmTally
    }

    /// Outcomes are counted as `OutcomeRule` says: only events reported after the deal's assignment.
    static let sql = """
        WITH enrolled AS (
            SELECT a.deal_id, a.arm, a.stratum, a.assigned_at, d.dealer_id
              FROM assignments a JOIN deals d ON d.deal_id = a.deal_id
             WHERE a.hypothesis_key = $1
        ), outcome AS (
            SELECT e.deal_id,
                   min(e.occurred_at) FILTER (WHERE e.type IN \(OutcomeRule.closingTypes)) AS resolved_at,
                   bool_or(e.type = $2) AS converted,
                   coalesce(sum(e.value) FILTER (WHERE e.type = $2), 0)::float8 AS revenue
              FROM events e JOIN enrolled en ON en.deal_id = e.deal_id
             WHERE \(OutcomeRule.counts(event: "e", assignment: "en"))
             GROUP BY e.deal_id
        )
        SELECT en.arm, en.dealer_id, en.stratum,
               date_trunc('week', en.assigned_at) AS enrolled_week,
               date_trunc('week', o.resolved_at) AS resolved_week,
               count(*) AS enrolled,
               count(o.resolved_at) AS deals,
               count(*) FILTER (WHERE o.resolved_at IS NOT NULL AND o.converted) AS conversions,
               coalesce(sum(o.revenue) FILTER (WHERE o.resolved_at IS NOT NULL), 0)::float8 AS revenue
          FROM enrolled en LEFT JOIN outcome o ON o.deal_id = en.deal_id
         GROUP BY 1, 2, 3, 4, 5
        """

    static func groups(hypothesis: String, metric: String, _ connection: PGConnection) throws -> [Group] {
        try connection.query(sql, [hypothesis, metric]).rows { row in
            let arm = try row.decode(String.self, 0)
            return Group(
                arm: arm, dealer: try row.decode(String.self, 1), stratum: try row.decode(String.self, 2),
                enrolledWeek: try row.decode(Date.self, 3), resolvedWeek: try row.decodeIfPresent(Date.self, 4),
                tally: ArmTally(
                    arm: arm, enrolled: try row.decode(Int.self, 5), deals: try row.decode(Int.self, 6),
                    conversions: try row.decode(Int.self, 7), revenue: try row.decode(Double.self, 8)))
        }
    }

    /// The texts that tie a hypothesis to its journey: stage, barrier and recommendation names.
    struct Context: Sendable {
        var journeyName: String
        var stageName: String
        var barrierText: String?
        var recommendationText: String?
    }

    static func context(for hypothesis: Hypothesis, _ connection: PGConnection) throws -> Context {
        try connection.query(
            """
            SELECT j.name, s.name, b.text, r.text
              FROM journeys j JOIN stages s ON s.journey_key = j.key AND s.key = $2
              LEFT JOIN barriers b ON b.journey_key = j.key AND b.key = $3
              LEFT JOIN recommendations r ON r.journey_key = j.key AND r.key = $4
             WHERE j.key = $1
            """, [hypothesis.journeyKey, hypothesis.stageKey, hypothesis.barrierKey, hypothesis.recommendationKey]
        ).firstRow {
            Context(
                journeyName: try $0.decode(String.self, 0), stageName: try $0.decode(String.self, 1),
                barrierText: try $0.decodeIfPresent(String.self, 2), recommendationText: try $0.decodeIfPresent(String.self, 3))
        } ?? Context(journeyName: hypothesis.journeyKey, stageName: hypothesis.stageKey)
    }
}
