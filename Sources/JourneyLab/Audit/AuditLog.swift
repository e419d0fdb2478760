import Foundation
import Postgres

/// The append-only record of every change to journeys, hypotheses and keys.
///
/// Written with the caller's connection inside the caller's transaction, so an audit row exists exactly
/// when the change committed.
public enum AuditLog {
    /// One audit row.
    public struct Entry: Sendable, Codable, Equatable {
        public var id: Int64
        public var at: Date
        public var actor: String
        public var action: String
        public var entityType: String
        public var entityKey: String
        public var before: String?
        public var after: String?

        /// A row of `selectColumns`.
        init(row: PGRow) throws {
            id = try row.decode(Int64.self, 0)
            at = try row.decode(Date.self, 1)
            actor = try row.decode(String.self, 2)
            action = try row.decode(String.self, 3)
            entityType = try row.decode(String.self, 4)
            entityKey = try row.decode(String.self, 5)
            before = try row.decodeIfPresent(String.self, 6)
            after = try row.decodeIfPresent(String.self, 7)
        }
    }

    /// The columns `Entry(row:)` reads, in its order.
    static let selectColumns = "id, at, actor, action, entity_type, entity_key, before::text, after::text"

    /// Who is acting: the OS user for the CLI (`cli:alice`), the key id for the API (`key:key_ab12…`).
    public static func cliActor(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        "cli:" + (environment["USER"] ?? environment["LOGNAME"] ?? NSUserName())
    }

    /// Appends a row. `before`/`after` are encoded as JSON.
    public static func record(
        _ connection: PGConnection, actor: String, action: String, entityType: String, entityKey: String,
        before: (some Encodable)? = String?.none, after: (some Encodable)? = String?.none
    ) throws {
        try connection.execute(
            """
            INSERT INTO audit_log (actor, action, entity_type, entity_key, before, after)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
            """,
            [actor, action, entityType, entityKey, try before.map { try PGJSON(encoding: $0) },
             try after.map { try PGJSON(encoding: $0) }])
    }

    /// Rows, newest last, optionally for one entity.
    public static func entries(_ connection: PGConnection, entityType: String? = nil, entityKey: String? = nil, limit: Int = 1000)
        throws -> [Entry]
    {
        try connection.query(
            """
            SELECT \(selectColumns) FROM audit_log
             WHERE ($1::text IS NULL OR entity_type = $1) AND ($2::text IS NULL OR entity_key = $2)
             ORDER BY id DESC LIMIT $3::int8
            """, [entityType, entityKey, limit]
        ).rows(Entry.init(row:)).reversed()
    }
}
