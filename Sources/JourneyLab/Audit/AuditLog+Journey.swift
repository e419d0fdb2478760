import Foundation
import Postgres

extension AuditLog {
    /// Rows of a journey and of its hypotheses (current and past), newest last (`journeylab audit --journey J`).
    public static func entries(_ connection: PGConnection, journey: String, limit: Int = 1000) throws -> [Entry] {
        try connection.query(
            """
            SELECT \(selectColumns) FROM audit_log
             WHERE (entity_type = 'journey' AND entity_key = $1)
                OR (entity_type = 'hypothesis' AND entity_key IN (SELECT key FROM hypotheses WHERE journey_key = $1))
             ORDER BY id DESC LIMIT $2::int8
            """, [journey, limit]
        ).rows(Entry.init(row:)).reversed()
    }
}
