import Foundation
import Postgres

/// What `journeylab serve` may do in the database, and `journeylab db grant ROLE`, which gives a login role
/// exactly that.
///
/// The schema owner (the role that runs `journeylab db migrate`) owns every table. The server connects as
/// another role that reads what the API and the lifecycle ticker read and writes only what they write: it
/// cannot delete, truncate, change the schema, write API keys or record migrations, so a leaked server
/// password cannot erase history or mint keys.
///
/// `grant` first revokes everything the role was given on the database, the schema and its objects, so
/// running it again also removes privileges added by hand; then it checks the role's effective privileges
/// (including those inherited from `PUBLIC` or other roles) against `privileges` and throws if they differ.
///
/// ```swift
/// let report = try ApplicationRole.grant(to: "journeylab_app", connection)  // connected as the schema owner
/// ```
public enum ApplicationRole {
    /// One privilege the server needs, with the reason it needs it.
    public struct Privilege: Sendable, Equatable, Encodable {
        public enum Kind: String, Sendable, Encodable {
            case select = "SELECT", insert = "INSERT", update = "UPDATE"
            /// On a sequence: `nextval` for a `serial` column's default.
            case usage = "USAGE"
        }
        /// A table, or for `.usage` a sequence.
        public var object: String
        public var kind: Kind
        /// nil: the whole table.
        public var columns: [String]?
        public var reason: String
    }

    /// Everything the server needs beyond CONNECT on the database and USAGE on the schema.
    public static let privileges: [Privilege] = [
        // Reads: the hypothesis routes, the reports (evaluator) and the scheduler's lookups.
        .init(object: "journeys", kind: .select, columns: nil, reason: "report context"),
        .init(object: "stages", kind: .select, columns: nil, reason: "hypothesis list order, report context"),
        .init(object: "barriers", kind: .select, columns: nil, reason: "report context"),
        .init(object: "recommendations", kind: .select, columns: nil, reason: "report context"),
        .init(object: "hypotheses", kind: .select, columns: nil, reason: "hypothesis routes, scheduler, ticker"),
        .init(object: "arms", kind: .select, columns: nil, reason: "hypothesis routes, scheduler"),
        .init(object: "deals", kind: .select, columns: nil, reason: "scheduler, event ownership checks, reports"),
        .init(object: "assignments", kind: .select, columns: nil, reason: "scheduler, reports, ticker"),
        .init(object: "exclusion_claims", kind: .select, columns: nil, reason: "scheduler"),
        .init(object: "randomization_cursors", kind: .select, columns: nil, reason: "scheduler (upsert of the next slot)"),
        .init(object: "events", kind: .select, columns: nil, reason: "duplicate detection, reports, ticker"),
        .init(object: "schema_migrations", kind: .select, columns: nil, reason: "/readyz: are migrations pending"),
        .init(
            object: "api_keys", kind: .select, columns: ["id", "role", "dealer_id", "secret_hash", "revoked_at"],
            reason: "verifying a presented key by its hash"),
        // Writes: assignments.
        .init(
            object: "deals", kind: .insert, columns: ["deal_id", "dealer_id", "segment", "first_stage", "attributes"],
            reason: "POST /v1/assignments enrolls a new deal"),
        .init(
            object: "deals", kind: .update, columns: ["first_stage"],
            reason: "never written: PostgreSQL lets a role lock a row (SELECT … FOR UPDATE, as the scheduler does "
                + "while enrolling an existing deal) only with UPDATE on one of its columns; first_stage is "
                + "descriptive, unused by the analysis and by authorization"),
        .init(
            object: "randomization_cursors", kind: .insert, columns: ["hypothesis_key", "stratum", "next_slot"],
            reason: "the first slot of a stratum"),
        .init(object: "randomization_cursors", kind: .update, columns: ["next_slot"], reason: "taking block slots"),
        .init(
            object: "assignments", kind: .insert, columns: ["deal_id", "hypothesis_key", "arm", "stratum", "slot"],
            reason: "a deal's arm"),
        .init(
            object: "exclusion_claims", kind: .insert, columns: ["exclusion_group", "deal_id", "hypothesis_key"],
            reason: "exclusion groups"),
        // Writes: events.
        .init(
            object: "events", kind: .insert,
            columns: [
                "deal_id", "idempotency_key", "event_id", "type", "stage", "value", "occurred_at", "payload_hash",
                "enrolled", "source",
            ],
            reason: "POST /v1/events"),
        // Writes: the lifecycle ticker (scheduled → running → ready | expired), with its audit rows.
        .init(
            object: "hypotheses", kind: .update, columns: ["status", "started_at", "ended_at", "plan_hash", "updated_at"],
            reason: "lifecycle moves (the frozen-plan trigger still refuses plan changes)"),
        .init(
            object: "audit_log", kind: .insert, columns: ["actor", "action", "entity_type", "entity_key", "before", "after"],
            reason: "audit rows of lifecycle moves (append only: no SELECT, UPDATE or DELETE)"),
        .init(object: "audit_log_id_seq", kind: .usage, columns: nil, reason: "audit_log.id default"),
    ]

    /// Tables the server never touches (the registry's segments are only shown by the CLI).
    public static let withheldTables: Set<String> = ["segments"]

    /// What `grant` did.
    public struct Report: Sendable, Encodable {
        public var role: String
        public var database: String
        public var schema: String
        /// The GRANT statements run, in order.
        public var statements: [String]
        public var privileges: [Privilege]
    }

    /// Revokes everything `role` has on this database, its JourneyLab schema and that schema's tables,
    /// sequences and functions, then grants exactly `privileges` (plus CONNECT and USAGE on the schema), in
    /// one transaction. Run it as the schema owner; it is safe to run again.
    /// - Throws: `JourneyLabError.notFound` for an unknown role; `.invalidInput` for a superuser, the
    ///   current role or a member of the schema owner (they cannot be restricted); `.illegalState` when the
    ///   schema is not migrated or the role's effective privileges still differ (granted by another role or
    ///   to `PUBLIC`), naming them; `PGError` when the database refuses (e.g. not run as the owner).
    public static func grant(to role: String, _ connection: PGConnection) throws -> Report {
        guard
            let found = try connection.query(
                "SELECT rolsuper, pg_has_role(rolname, current_user, 'MEMBER'), rolname = current_user FROM pg_roles WHERE rolname = $1",
                [role]
            ).firstRow({
                (
                    superuser: try $0.decode(Bool.self, 0), memberOfCurrent: try $0.decode(Bool.self, 1),
                    isCurrent: try $0.decode(Bool.self, 2)
                )
            })
        else {
            throw JourneyLabError.notFound(
                "no database role \"\(role)\": create it first (createuser \(role), or CREATE ROLE \(role) LOGIN PASSWORD '…')")
        }
        if found.isCurrent {
            throw JourneyLabError.invalid(
                "\"\(role)\" is the role running this command (the schema owner): grant to a separate role for the server")
        }
        if found.superuser {
            throw JourneyLabError.invalid("\"\(role)\" is a superuser, which no grant can restrict: use an ordinary login role")
        }
        if role.hasPrefix("pg_") {
            // Built-in roles (pg_read_all_data, pg_monitor…) are shared by everyone granted them.
            throw JourneyLabError.invalid("\"\(role)\" is one of PostgreSQL's built-in roles: create a login role for the server")
        }
        guard
            let schema = try connection.query(
                """
                SELECT n.nspname::text, quote_ident(n.nspname), quote_ident(current_database()), current_database()::text,
                       quote_ident($1), pg_get_userbyid(c.relowner)::text, pg_has_role($1::name, c.relowner, 'MEMBER')
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid = to_regclass('schema_migrations')
                """, [role]
            ).firstRow({
                (
                    name: try $0.decode(String.self, 0), quoted: try $0.decode(String.self, 1),
                    quotedDatabase: try $0.decode(String.self, 2), database: try $0.decode(String.self, 3),
                    quotedRole: try $0.decode(String.self, 4), owner: try $0.decode(String.self, 5),
                    memberOfOwner: try $0.decode(Bool.self, 6)
                )
            })
        else {
            throw JourneyLabError(.illegalState, "the database has no JourneyLab schema yet: run `journeylab db migrate` first")
        }
        if schema.memberOfOwner || found.memberOfCurrent {
            throw JourneyLabError.invalid(
                "\"\(role)\" is a member of the schema owner \"\(schema.owner)\" and has all its privileges: use a role outside it"
            )
        }

        // Identifiers cannot be bind parameters; each one is quoted by the server's quote_ident (role, schema,
        // database) or is one of the fixed lowercase names above.
        let (r, s, d) = (schema.quotedRole, schema.quoted, schema.quotedDatabase)
        let revokes = [
            "REVOKE ALL ON DATABASE \(d) FROM \(r)",
            "REVOKE ALL ON SCHEMA \(s) FROM \(r)",
            "REVOKE ALL ON ALL TABLES IN SCHEMA \(s) FROM \(r)",
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA \(s) FROM \(r)",
            "REVOKE ALL ON ALL ROUTINES IN SCHEMA \(s) FROM \(r)",
        ]
        var grants = ["GRANT CONNECT ON DATABASE \(d) TO \(r)", "GRANT USAGE ON SCHEMA \(s) TO \(r)"]
        for privilege in privileges {
            let columns = privilege.columns.map { " (" + $0.map { "\"\($0)\"" }.joined(separator: ", ") + ")" } ?? ""
            let objectKind = privilege.kind == .usage ? "SEQUENCE" : "TABLE"
            grants.append("GRANT \(privilege.kind.rawValue)\(columns) ON \(objectKind) \(s).\"\(privilege.object)\" TO \(r)")
        }
        // Checked inside the transaction: when the result is not exactly the server's privileges, nothing of
        // this run stays (the role keeps what it had before).
        try connection.withTransaction { connection in
            for statement in revokes + grants { try connection.simpleQuery(statement) }
            let differences = try differences(role: role, schema: schema.name, connection)
            if !differences.isEmpty {
                throw JourneyLabError(
                    .illegalState,
                    "\"\(role)\" would not end up with exactly the server's privileges, so nothing was changed: "
                        + differences.joined(separator: "; ")
                        + " — extra ones come from PUBLIC, other roles or grants by another grantor (revoke them as that grantor, e.g. REVOKE CREATE ON SCHEMA \(schema.name) FROM PUBLIC); missing ones mean this command did not run as the schema owner"
                )
            }
        }
        return Report(role: role, database: schema.database, schema: schema.name, statements: grants, privileges: privileges)
    }

    /// How the role's effective privileges on the schema differ from `privileges`: `"extra: DELETE on events"`,
    /// `"missing: INSERT on events.value"`. Empty when they match exactly.
    public static func differences(role: String, schema: String, _ connection: PGConnection) throws -> [String] {
        struct Held: Hashable {
            var object: String
            var column: String?
            var privilege: String
        }
        var held = Set<Held>()
        var columnsOf: [String: [String]] = [:]
        _ = try connection.query(
            """
            SELECT c.relname::text, a.attname::text, p.privilege,
                   has_column_privilege($1::name, c.oid, a.attnum, p.privilege)
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) AS p(privilege)
             WHERE n.nspname = $2::name AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            UNION ALL
            SELECT c.relname::text, NULL, p.privilege, has_table_privilege($1::name, c.oid, p.privilege)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             CROSS JOIN unnest(ARRAY['DELETE', 'TRUNCATE', 'TRIGGER']) AS p(privilege)
             WHERE n.nspname = $2::name AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            UNION ALL
            SELECT c.relname::text, NULL, p.privilege, has_sequence_privilege($1::name, c.oid, p.privilege)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             CROSS JOIN unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) AS p(privilege)
             WHERE n.nspname = $2::name AND c.relkind = 'S'
            UNION ALL
            SELECT 'schema ' || $2::text, NULL, 'CREATE', has_schema_privilege($1::name, $2::text, 'CREATE')
            UNION ALL
            SELECT 'schema ' || $2::text, NULL, 'USAGE', has_schema_privilege($1::name, $2::text, 'USAGE')
            UNION ALL
            SELECT 'database ' || current_database()::text, NULL, 'CREATE', has_database_privilege($1::name, current_database()::text, 'CREATE')
            UNION ALL
            SELECT 'database ' || current_database()::text, NULL, 'CONNECT', has_database_privilege($1::name, current_database()::text, 'CONNECT')
            """, [role, schema]
        ).rows { row in
            let object = try row.decode(String.self, 0)
            let column = try row.decodeIfPresent(String.self, 1)
            if let column, try row.decode(String.self, 2) == "SELECT" { columnsOf[object, default: []].append(column) }
            if try row.decode(Bool.self, 3) {
                held.insert(Held(object: object, column: column, privilege: try row.decode(String.self, 2)))
            }
        }
        let database = try connection.query("SELECT current_database()::text").scalar(String.self)
        var expected: Set<Held> = [
            Held(object: "schema " + schema, privilege: "USAGE"), Held(object: "database " + database, privilege: "CONNECT"),
        ]
        for privilege in privileges {
            if privilege.kind == .usage {
                expected.insert(Held(object: privilege.object, privilege: privilege.kind.rawValue))
                continue
            }
            for column in privilege.columns ?? columnsOf[privilege.object] ?? [] {
                expected.insert(Held(object: privilege.object, column: column, privilege: privilege.kind.rawValue))
            }
        }
        func describe(_ item: Held) -> String {
            "\(item.privilege) on \(item.object)" + (item.column.map { ".\($0)" } ?? "")
        }
        let extra = held.subtracting(expected).map { "extra: " + describe($0) }
        let missing = expected.subtracting(held).map { "missing: " + describe($0) }
        return (extra + missing).sorted()
    }
}
