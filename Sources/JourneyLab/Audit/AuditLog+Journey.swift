import Foundation
import Postgres

extension AuditLog {
    /// Rows of a journey and of its hypotheses (current and past), newest last (`journeylab audit --journey J`).
    public static func entries(_ connection: PGConnection, journey: String, limit: Int = 1000) throws -> [Entry] {
        try connection.query(
            """
            SELECT id, at, actor, action, entity_type, entity_key, before::text, after::text FROM audit_log
             WHERE (entity_type = 'journey' AND entity_key = $1)
                OR (entity_type = 'hypothesis' AND entity_key IN (SELECT key FROM hypotheses WHERE journey_key = $1))
             ORDER BY id DESC LIMIT $2::int8
            """, [journey, limit]
        ).rows {
            Entry(
                id: try $0.decode(Int64.self, 0), at: try $0.decode(Date.self, 1), actor: try $0.decode(String.self, 2),
                action: try $0.decode(String.self, 3), entityType: try $0.decode(String.self, 4),
                entityKey: try $0.decode(String.self, 5), before: try $0.decodeIfPresent(String.self, 6),
                after: try $0.decodeIfPresent(String.self, 7))
        }.reversed()
    }
}
