import Foundation
import Postgres

/// Reads journeys for `journey list` and `journey show`, and a journey's outline for `hypothesis register`.
/// Every method uses the caller's connection.
public enum JourneyStore {
    /// One line of `journey list`.
    public struct Summary: Sendable, Codable, Equatable {
        public var key: String
        public var name: String
        public var segment: String
        public var stages: Int
        public var barriers: Int
        public var recommendations: Int
        public var hypotheses: Int
        /// Hypotheses currently running or paused.
        public var active: Int
        public var updatedAt: Date
    }

    /// A journey as a tree: stages → barriers → recommendations → hypotheses (`journey show`).
    public struct Tree: Sendable, Codable, Equatable {
        public var key: String
        public var name: String
        public var description: String
        public var sourceFile: String?
        public var segment: CJMFile.Segment
        public var stages: [Stage]

        public struct Stage: Sendable, Codable, Equatable {
            public var key: String
            public var name: String
            public var position: Int
            public var customerGoals: [String]
            public var customerThoughts: [String]
            public var customerActions: [String]
            public var brandGoals: [String]
            public var touchpoints: [CJMFile.Touchpoint]
            public var experience: String?
            public var experienceNote: String
            public var barriers: [Barrier]
            /// Recommendations for the stage as a whole.
            public var recommendations: [Recommendation]
            /// Hypotheses that name this stage but no barrier or recommendation.
            public var hypotheses: [HypothesisLeaf]
        }

        public struct Barrier: Sendable, Codable, Equatable {
            public var key: String
            public var text: String
            public var source: String
            public var severity: String
            public var recommendations: [Recommendation]
            /// Hypotheses that name this barrier but no recommendation.
            public var hypotheses: [HypothesisLeaf]
        }

        public struct Recommendation: Sendable, Codable, Equatable {
            public var key: String
            public var text: String
            public var hypotheses: [HypothesisLeaf]
        }

        public struct HypothesisLeaf: Sendable, Codable, Equatable {
            public var key: String
            public var title: String
            public var status: Hypothesis.Status
            public var outcome: Hypothesis.Outcome?
            public var metric: String
        }
    }

    /// All journeys, by key.
    public static func list(_ connection: PGConnection) throws -> [Summary] {
        try connection.query(
            """
            SELECT j.key, j.name, j.segment_key,
                   (SELECT count(*) FROM stages s WHERE s.journey_key = j.key),
                   (SELECT count(*) FROM barriers b WHERE b.journey_key = j.key),
                   (SELECT count(*) FROM recommendations r WHERE r.journey_key = j.key),
                   (SELECT count(*) FROM hypotheses h WHERE h.journey_key = j.key),
                   (SELECT count(*) FROM hypotheses h WHERE h.journey_key = j.key AND h.status IN ('running', 'paused')),
                   j.updated_at
              FROM journeys j ORDER BY j.key
            """
        ).rows {
            Summary(
                key: try $0.decode(String.self, 0), name: try $0.decode(String.self, 1), segment: try $0.decode(String.self, 2),
                stages: try $0.decode(Int.self, 3), barriers: try $0.decode(Int.self, 4),
                recommendations: try $0.decode(Int.self, 5), hypotheses: try $0.decode(Int.self, 6),
                active: try $0.decode(Int.self, 7), updatedAt: try $0.decode(Date.self, 8))
        }
    }

    /// True when the journey exists.
    public static func exists(_ key: String, _ connection: PGConnection) throws -> Bool {
        try connection.query("SELECT 1 FROM journeys WHERE key = $1", [key]).rowCount > 0
    }

    /// True when a journey (this one, or any when nil) has a stage with this key.
    public static func stageExists(_ stage: String, journey: String? = nil, _ connection: PGConnection) throws -> Bool {
        try connection.query(
            "SELECT 1 FROM stages WHERE key = $1 AND ($2::text IS NULL OR journey_key = $2) LIMIT 1", [stage, journey]
        ).rowCount > 0
    }

    /// The whole journey as a tree.
    /// - Throws: `JourneyLabError.notFound` naming the key and how to list the keys.
    public static func tree(_ key: String, _ connection: PGConnection) throws -> Tree {
        let header = try connection.query(
            """
            SELECT j.key, j.name, j.description, j.source_file, s.key, s.name, s.description, s.portrait::text
              FROM journeys j JOIN segments s ON s.key = j.segment_key WHERE j.key = $1
            """, [key]
        ).firstRow { row in
            (
                key: try row.decode(String.self, 0), name: try row.decode(String.self, 1),
                description: try row.decode(String.self, 2), sourceFile: try row.decodeIfPresent(String.self, 3),
                segment: CJMFile.Segment(
                    key: try row.decode(String.self, 4), name: try row.decode(String.self, 5),
                    description: try row.decode(String.self, 6),
                    portrait: try PGJSON(text: try row.decode(String.self, 7)).decode([String: String].self))
            )
        }
        guard let header else { throw notFound(key) }

        let hypotheses = try connection.query(
            """
            SELECT key, title, status, outcome, metric, stage_key, barrier_key, recommendation_key
              FROM hypotheses WHERE journey_key = $1 ORDER BY key
            """, [key]
        ).rows { row in
            (
                leaf: Tree.HypothesisLeaf(
                    key: try row.decode(String.self, 0), title: try row.decode(String.self, 1),
                    status: Hypothesis.Status(rawValue: try row.decode(String.self, 2)) ?? .draft,
                    outcome: try row.decodeIfPresent(String.self, 3).flatMap(Hypothesis.Outcome.init(rawValue:)),
                    metric: try row.decode(String.self, 4)),
                stage: try row.decode(String.self, 5), barrier: try row.decodeIfPresent(String.self, 6),
                recommendation: try row.decodeIfPresent(String.self, 7)
            )
        }
        let recommendations = try connection.query(
            "SELECT stage_key, barrier_key, key, text FROM recommendations WHERE journey_key = $1 ORDER BY position, key", [key]
        ).rows { row in
            let recommendationKey = try row.decode(String.self, 2)
            return (
                stage: try row.decode(String.self, 0), barrier: try row.decodeIfPresent(String.self, 1),
                node: Tree.Recommendation(
                    key: recommendationKey, text: try row.decode(String.self, 3),
                    hypotheses: hypotheses.filter { $0.recommendation == recommendationKey }.map(\.leaf))
            )
        }
        let barriers = try connection.query(
            "SELECT stage_key, key, text, source, severity FROM barriers WHERE journey_key = $1 ORDER BY position, key", [key]
        ).rows { row in
            let barrierKey = try row.decode(String.self, 1)
            return (
                stage: try row.decode(String.self, 0),
                node: Tree.Barrier(
                    key: barrierKey, text: try row.decode(String.self, 2), source: try row.decode(String.self, 3),
                    severity: try row.decode(String.self, 4),
                    recommendations: recommendations.filter { $0.barrier == barrierKey }.map(\.node),
                    hypotheses: hypotheses.filter { $0.barrier == barrierKey && $0.recommendation == nil }.map(\.leaf))
            )
        }
        let stages = try connection.query(
            """
            SELECT key, name, position, customer_goals::text, customer_thoughts::text, customer_actions::text,
                   brand_goals::text, touchpoints::text, experience, experience_note
              FROM stages WHERE journey_key = $1 ORDER BY position
            """, [key]
        ).rows { row in
            let stageKey = try row.decode(String.self, 0)
            func list(_ column: Int) throws -> [String] {
                try PGJSON(text: try row.decode(String.self, column)).decode([String].self)
            }
            return Tree.Stage(
                key: stageKey, name: try row.decode(String.self, 1), position: try row.decode(Int.self, 2),
                customerGoals: try list(3), customerThoughts: try list(4), customerActions: try list(5), brandGoals: try list(6),
                touchpoints: try PGJSON(text: try row.decode(String.self, 7)).decode([CJMFile.Touchpoint].self),
                experience: try row.decodeIfPresent(String.self, 8), experienceNote: try row.decode(String.self, 9),
                barriers: barriers.filter { $0.stage == stageKey }.map(\.node),
                recommendations: recommendations.filter { $0.stage == stageKey && $0.barrier == nil }.map(\.node),
                hypotheses: hypotheses.filter { $0.stage == stageKey && $0.barrier == nil && $0.recommendation == nil }.map(
                    \.leaf))
        }
        return Tree(
            key: header.key, name: header.name, description: header.description, sourceFile: header.sourceFile,
            segment: header.segment, stages: stages)
    }

    /// The journey's keys, for checking what a hypothesis names.
    /// - Throws: `JourneyLabError.notFound` when the journey does not exist.
    public static func outline(_ key: String, _ connection: PGConnection) throws -> JourneyOutline {
        guard try exists(key, connection) else { throw notFound(key) }
        let stageKeys = try connection.query("SELECT key FROM stages WHERE journey_key = $1 ORDER BY position", [key])
            .rows { try $0.decode(String.self, 0) }
        let barriers = try connection.query(
            "SELECT stage_key, key FROM barriers WHERE journey_key = $1 ORDER BY position, key", [key]
        )
        .rows { (stage: try $0.decode(String.self, 0), key: try $0.decode(String.self, 1)) }
        let recommendations = try connection.query(
            "SELECT stage_key, barrier_key, key FROM recommendations WHERE journey_key = $1 ORDER BY position, key", [key]
        ).rows {
            (
                stage: try $0.decode(String.self, 0), barrier: try $0.decodeIfPresent(String.self, 1),
                key: try $0.decode(String.self, 2)
            )
        }
        return JourneyOutline(
            journey: key,
            stages: stageKeys.map { stage in
                JourneyOutline.Stage(
                    key: stage,
                    barriers: barriers.filter { $0.stage == stage }.map { barrier in
                        JourneyOutline.Barrier(
                            key: barrier.key, recommendations: recommendations.filter { $0.barrier == barrier.key }.map(\.key))
                    },
                    recommendations: recommendations.filter { $0.stage == stage && $0.barrier == nil }.map(\.key))
            })
    }

    static func notFound(_ key: String) -> JourneyLabError {
        .notFound("no journey \"\(key)\": `journeylab journey list` shows the keys; `journeylab journey import FILE` adds one")
    }
}
