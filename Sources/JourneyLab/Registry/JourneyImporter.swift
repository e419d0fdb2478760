import Foundation
import Postgres

/// Imports a CJM file: idempotent by keys, all or nothing, and says what changed.
///
/// - Segment, journey, stages, barriers and recommendations are inserted or have their descriptive fields
///   updated; rows in the database that the file no longer lists are kept (hypotheses may refer to them).
/// - A barrier or recommendation cannot move to another stage or barrier under the same key (refused).
/// - The file's hypotheses are registered as with `hypothesis register`; a draft's fields are updated; a
///   started hypothesis is never touched ("plan frozen, not changed").
/// - One transaction: an import that fails stores nothing. Audit rows (`journey.import`, and one per
///   hypothesis registered or updated) are written in the same transaction.
///
/// ```swift
/// let file = try CJMParser.parse(contentsOf: url)
/// let report = try JourneyImporter(registry: HypothesisRegistry()).importFile(file, connection)
/// ```
public struct JourneyImporter: Sendable {
    public let registry: HypothesisRegistry

    public init(registry: HypothesisRegistry = HypothesisRegistry()) { self.registry = registry }

    /// What one import did.
    public struct Report: Sendable, Codable, Equatable {
        public enum Change: String, Sendable, Codable, CaseIterable {
            case added, updated, unchanged
            /// A started hypothesis whose fields in the file differ: plan frozen, not changed.
            case frozen
            /// In the database but no longer in the file: kept.
            case kept
        }

        public struct Entry: Sendable, Codable, Equatable {
            /// `segment`, `journey`, `stage`, `barrier`, `recommendation` or `hypothesis`.
            public var entity: String
            public var key: String
            public var change: Change
            /// Which fields changed or differ, or why nothing was changed.
            public var note: String?

            public init(entity: String, key: String, change: Change, note: String? = nil) {
                self.entity = entity
                self.key = key
                self.change = change
                self.note = note
            }
        }

        public var journey: String
        public var file: String
        public var entries: [Entry]

        /// True when anything was added or updated.
        public var hasChanges: Bool { entries.contains { $0.change == .added || $0.change == .updated } }

        /// Count per entity and change, e.g. `["stage": ["added": 13]]`.
        public var counts: [String: [String: Int]] {
            var counts: [String: [String: Int]] = [:]
            for entry in entries { counts[entry.entity, default: [:]][entry.change.rawValue, default: 0] += 1 }
            return counts
        }

        enum CodingKeys: String, CodingKey { case journey, file, entries, counts, hasChanges }

        public init(journey: String, file: String, entries: [Entry]) {
            self.journey = journey
            self.file = file
            self.entries = entries
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            journey = try container.decode(String.self, forKey: .journey)
            file = try container.decode(String.self, forKey: .file)
            entries = try container.decode([Entry].self, forKey: .entries)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(journey, forKey: .journey)
            try container.encode(file, forKey: .file)
            try container.encode(entries, forKey: .entries)
            try container.encode(counts, forKey: .counts)
            try container.encode(hasChanges, forKey: .hasChanges)
        }
    }

    /// Imports a parsed file in one transaction.
    /// - Throws: `JourneyLabError.conflict` when the file contradicts stored keys (a barrier moved to another
    ///   stage, a hypothesis key of another journey); `HypothesisRegistration.Problem` or `JourneyLabError`
    ///   for invalid hypotheses. Nothing is stored when it throws.
    public func importFile(_ file: CJMFile, _ connection: PGConnection) throws -> Report {
        try connection.withTransaction { connection in
            var entries: [Report.Entry] = []
            func record(_ entity: String, _ key: String, inserted: Bool?) {
                let change: Report.Change = inserted.map { $0 ? .added : .updated } ?? .unchanged
                entries.append(.init(entity: entity, key: key, change: change, note: nil))
            }
            let before = try journeyHeader(file.journey, connection)
            try refuseMoves(file, connection)

            let segment = file.segment
            record(
                "segment", segment.key,
                inserted: try upsert(
                    connection,
                    """
                    INSERT INTO segments AS t (key, name, description, portrait) VALUES ($1, $2, $3, $4::jsonb)
                    ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
                           portrait = EXCLUDED.portrait, updated_at = now()
                     WHERE (t.name, t.description, t.portrait) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.portrait)
                    RETURNING (xmax = 0)
                    """, [segment.key, segment.name, segment.description, try PGJSON(encoding: segment.portrait)]))
            record(
                "journey", file.journey,
                inserted: try upsert(
                    connection,
                    """
                    INSERT INTO journeys AS t (key, segment_key, name, description, source_file) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (key) DO UPDATE SET segment_key = EXCLUDED.segment_key, name = EXCLUDED.name,
                           description = EXCLUDED.description, source_file = EXCLUDED.source_file, updated_at = now()
                     WHERE (t.segment_key, t.name, t.description) IS DISTINCT FROM (EXCLUDED.segment_key, EXCLUDED.name, EXCLUDED.description)
                    RETURNING (xmax = 0)
                    """, [file.journey, segment.key, file.name, file.description, file.fileName]))

            for (position, stage) in file.stages.enumerated() {
                record(
                    "stage", stage.key,
                    inserted: try upsert(
                        connection,
                        """
                        INSERT INTO stages AS t (journey_key, key, position, name, customer_goals, customer_thoughts,
                               customer_actions, brand_goals, touchpoints, experience, experience_note)
                        VALUES ($1, $2, $3::int4, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11)
                        ON CONFLICT (journey_key, key) DO UPDATE SET position = EXCLUDED.position, name = EXCLUDED.name,
                               customer_goals = EXCLUDED.customer_goals, customer_thoughts = EXCLUDED.customer_thoughts,
                               customer_actions = EXCLUDED.customer_actions, brand_goals = EXCLUDED.brand_goals,
                               touchpoints = EXCLUDED.touchpoints, experience = EXCLUDED.experience,
                               experience_note = EXCLUDED.experience_note
                         WHERE (t.position, t.name, t.customer_goals, t.customer_thoughts, t.customer_actions, t.brand_goals,
                                t.touchpoints, t.experience, t.experience_note)
                               IS DISTINCT FROM
                               (EXCLUDED.position, EXCLUDED.name, EXCLUDED.customer_goals, EXCLUDED.customer_thoughts,
                                EXCLUDED.customer_actions, EXCLUDED.brand_goals, EXCLUDED.touchpoints, EXCLUDED.experience,
                                EXCLUDED.experience_note)
                        RETURNING (xmax = 0)
                        """,
                        [
                            file.journey, stage.key, position, stage.name, try PGJSON(encoding: stage.customerGoals),
                            try PGJSON(encoding: stage.customerThoughts), try PGJSON(encoding: stage.customerActions),
                            try PGJSON(encoding: stage.brandGoals), try PGJSON(encoding: stage.touchpoints), stage.experience,
                            stage.experienceNote,
                        ]))
            }
            // Stages the file dropped keep their rows, after the file's stages (positions stay unique).
            let fileStages = file.stages.map(\.key)
            let kept = try connection.query(
                "SELECT key FROM stages WHERE journey_key = $1 AND NOT (key = ANY($2::text[])) ORDER BY position",
                [file.journey, Self.textArray(fileStages)]
            ).rows { try $0.decode(String.self, 0) }
            for (offset, key) in kept.enumerated() {
                try connection.execute(
                    "UPDATE stages SET position = $3::int4 WHERE journey_key = $1 AND key = $2 AND position <> $3::int4",
                    [file.journey, key, fileStages.count + offset])
                entries.append(.init(entity: "stage", key: key, change: .kept, note: "not in the file; kept"))
            }

            for stage in file.stages {
                for (position, barrier) in stage.barriers.enumerated() {
                    record(
                        "barrier", barrier.key,
                        inserted: try upsert(
                            connection,
                            """
                            INSERT INTO barriers AS t (journey_key, stage_key, key, text, source, severity, position)
                            VALUES ($1, $2, $3, $4, $5, $6, $7::int4)
                            ON CONFLICT (journey_key, key) DO UPDATE SET text = EXCLUDED.text, source = EXCLUDED.source,
                                   severity = EXCLUDED.severity, position = EXCLUDED.position
                             WHERE (t.text, t.source, t.severity, t.position)
                                   IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.source, EXCLUDED.severity, EXCLUDED.position)
                            RETURNING (xmax = 0)
                            """,
                            [file.journey, stage.key, barrier.key, barrier.text, barrier.source, barrier.severity, position]))
                }
                let recommendations =
                    stage.barriers.flatMap { barrier in barrier.recommendations.map { (barrier: Optional(barrier.key), $0) } }
                    + stage.recommendations.map { (barrier: String?.none, $0) }
                for (position, item) in recommendations.enumerated() {
                    record(
                        "recommendation", item.1.key,
                        inserted: try upsert(
                            connection,
                            """
                            INSERT INTO recommendations AS t (journey_key, stage_key, barrier_key, key, text, position)
                            VALUES ($1, $2, $3, $4, $5, $6::int4)
                            ON CONFLICT (journey_key, key) DO UPDATE SET text = EXCLUDED.text, position = EXCLUDED.position
                             WHERE (t.text, t.position) IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.position)
                            RETURNING (xmax = 0)
                            """, [file.journey, stage.key, item.barrier, item.1.key, item.1.text, position]))
                }
            }
            for (entity, table) in [("barrier", "barriers"), ("recommendation", "recommendations")] {
                let inFile = Set(entries.filter { $0.entity == entity }.map(\.key))
                // Table names come from the fixed list above, never from input.
                let stored = try connection.query("SELECT key FROM \(table) WHERE journey_key = $1 ORDER BY key", [file.journey])
                    .rows { try $0.decode(String.self, 0) }
                for key in stored where !inFile.contains(key) {
                    entries.append(.init(entity: entity, key: key, change: .kept, note: "not in the file; kept"))
                }
            }

            let structural = entries.filter { $0.change == .added || $0.change == .updated }
            if !structural.isEmpty {
                struct After: Encodable { var file: String; var name: String; var changes: [Report.Entry] }
                try AuditLog.record(
                    connection, actor: registry.actor, action: "journey.import", entityType: "journey", entityKey: file.journey,
                    before: before, after: After(file: file.fileName, name: file.name, changes: structural))
            }
            for (index, entry) in file.hypotheses.enumerated() {
                entries.append(try importHypothesis(entry, index: index, file: file, connection))
            }
            return Report(journey: file.journey, file: file.fileName, entries: entries)
        }
    }

    /// Registers, updates (draft) or leaves alone (started) one hypothesis of the file.
    func importHypothesis(_ entry: CJMFile.HypothesisEntry, index: Int, file: CJMFile, _ connection: PGConnection) throws
        -> Report.Entry
    {
        let registration = entry.registration
        let key = registration.key ?? HypothesisRegistration.slug(from: registration.title)
        do {
            guard let existing = try HypothesisStore.load(key, connection, forUpdate: true) else {
                var keyed = registration
                keyed.key = key
                _ = try registry.register(keyed, connection)
                return .init(entity: "hypothesis", key: key, change: .added, note: nil)
            }
            guard existing.journeyKey == file.journey else {
                throw JourneyLabError(
                    .conflict,
                    "\(file.fileName):\(entry.line): hypotheses[\(index)].key: hypothesis \"\(key)\" belongs to journey "
                        + "\(existing.journeyKey) — give this hypothesis another key")
            }
            let outline = try JourneyStore.outline(file.journey, connection)
            let desired = try registration.validated(against: outline, existingSeed: existing.plan.seed)
            let storedDescription = try HypothesisRegistry.description(key, connection)
            let description = registration.description ?? ""
            let differences = Self.differences(existing, storedDescription, desired, description)
            if differences.isEmpty { return .init(entity: "hypothesis", key: key, change: .unchanged, note: nil) }
            if existing.planHash != nil {
                return .init(
                    entity: "hypothesis", key: key, change: .frozen,
                    note: "plan frozen, not changed (\(existing.status.rawValue); the file differs in "
                        + differences.joined(separator: ", ") + ")")
            }
            _ = try registry.replaceDraft(current: existing, with: desired, description: description, connection)
            return .init(entity: "hypothesis", key: key, change: .updated, note: differences.joined(separator: ", "))
        } catch let problem as HypothesisRegistration.Problem {
            let line = entry.fieldLines[problem.field] ?? entry.line
            throw JourneyLabError.invalid(
                "\(file.fileName):\(line): hypotheses[\(index)].\(problem.field.fileName): \(problem.problem) — \(problem.fix)",
                field: "hypotheses[\(index)].\(problem.field.fileName)")
        }
    }

    /// The file field names in which `desired` differs from what is stored.
    static func differences(_ stored: Hypothesis, _ storedDescription: String, _ desired: Hypothesis, _ description: String)
        -> [String]
    {
        typealias Field = HypothesisRegistration.Field
        let a = stored.plan
        let b = desired.plan
        let checks: [(Field, Bool)] = [
            (.stage, stored.stageKey != desired.stageKey), (.barrier, stored.barrierKey != desired.barrierKey),
            (.recommendation, stored.recommendationKey != desired.recommendationKey), (.title, stored.title != desired.title),
            (.description, storedDescription != description), (.metric, a.metric != b.metric),
            (.arms, a.arms.map(\.name) != b.arms.map(\.name)), (.weights, a.arms.map(\.weight) != b.arms.map(\.weight)),
            (.targetDeals, a.targetDeals != b.targetDeals), (.alpha, a.alpha != b.alpha), (.power, a.power != b.power),
            (.baselineRate, a.baselineRate != b.baselineRate), (.mde, a.mde != b.mde), (.minDays, a.minDays != b.minDays),
            (.maxDays, a.maxDays != b.maxDays), (.randomization, a.randomization != b.randomization),
            (.stratify, a.stratify != b.stratify), (.exclusionGroup, a.exclusionGroup != b.exclusionGroup),
            (.segmentFilter, a.segmentFilter != b.segmentFilter), (.looks, a.looks != b.looks), (.seed, a.seed != b.seed),
            (.startAt, stored.startAt != desired.startAt),
        ]
        return checks.filter(\.1).map(\.0.fileName)
    }

    /// Barriers and recommendations keep their parent: moving one under the same key is refused.
    func refuseMoves(_ file: CJMFile, _ connection: PGConnection) throws {
        let barriers = try connection.query("SELECT key, stage_key FROM barriers WHERE journey_key = $1", [file.journey])
            .rows { (try $0.decode(String.self, 0), try $0.decode(String.self, 1)) }
        let barrierStage = Dictionary(barriers, uniquingKeysWith: { first, _ in first })
        let recommendations = try connection.query(
            "SELECT key, stage_key, barrier_key FROM recommendations WHERE journey_key = $1", [file.journey]
        ).rows {
            (
                try $0.decode(String.self, 0),
                (stage: try $0.decode(String.self, 1), barrier: try $0.decodeIfPresent(String.self, 2))
            )
        }
        let recommendationParent = Dictionary(recommendations, uniquingKeysWith: { first, _ in first })
        for stage in file.stages {
            for barrier in stage.barriers {
                if let storedStage = barrierStage[barrier.key], storedStage != stage.key {
                    throw JourneyLabError(
                        .conflict,
                        "\(file.fileName):\(barrier.line): barrier \"\(barrier.key)\" belongs to stage \(storedStage), not \(stage.key) — "
                            + "keys are permanent: keep it under \(storedStage) or give it a new key")
                }
            }
            let items =
                stage.barriers.flatMap { barrier in barrier.recommendations.map { (Optional(barrier.key), $0) } }
                + stage.recommendations.map { (String?.none, $0) }
            for (barrier, recommendation) in items {
                if let parent = recommendationParent[recommendation.key], parent.stage != stage.key || parent.barrier != barrier {
                    let storedOwner = parent.barrier.map { "barrier \($0)" } ?? "stage \(parent.stage)"
                    throw JourneyLabError(
                        .conflict,
                        "\(file.fileName):\(recommendation.line): recommendation \"\(recommendation.key)\" belongs to \(storedOwner) — "
                            + "keys are permanent: keep it there or give it a new key")
                }
            }
        }
    }

    struct JourneyHeader: Encodable {
        var name: String
        var description: String
        var segment: String
        var sourceFile: String?
    }

    func journeyHeader(_ key: String, _ connection: PGConnection) throws -> JourneyHeader? {
        try connection.query("SELECT name, description, segment_key, source_file FROM journeys WHERE key = $1", [key]).firstRow {
            JourneyHeader(
                name: try $0.decode(String.self, 0), description: try $0.decode(String.self, 1),
                segment: try $0.decode(String.self, 2), sourceFile: try $0.decodeIfPresent(String.self, 3))
        }
    }

    /// Runs an `INSERT … ON CONFLICT DO UPDATE … WHERE changed RETURNING (xmax = 0)`: true = inserted,
    /// false = updated, nil = the row was already as the file says.
    func upsert(_ connection: PGConnection, _ sql: String, _ parameters: [any PGEncodable]) throws -> Bool? {
        try connection.query(sql, parameters).firstRow { try $0.decode(Bool.self, 0) }
    }

    static func textArray(_ values: [String]) -> String {
        "{"
            + values.map {
                "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
            .joined(separator: ",") + "}"
    }
}
