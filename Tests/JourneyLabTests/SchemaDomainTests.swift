import Foundation
import JourneyLab
import Postgres
import Testing
import TestSupport

/// Migration 020 rewrote the `slug` and `metric_name` checks for speed; they must accept exactly what the
/// original patterns (001_schema.sql) accepted. Compared on edge cases and on random strings, in PostgreSQL.
@Suite("Schema domains")
struct SchemaDomainTests {
    let connection: PGConnection

    init() throws {
        connection = try TestDatabase.create().connect()
        // Does the value pass the domain's check? (PostgreSQL 15 has no pg_input_is_valid.)
        for domain in ["slug", "metric_name"] {
            try connection.simpleQuery(
                """
                CREATE FUNCTION pg_temp.passes_\(domain)(v text) RETURNS bool LANGUAGE plpgsql AS $$
                BEGIN PERFORM v::\(domain); RETURN true; EXCEPTION WHEN check_violation THEN RETURN false; END $$
                """)
        }
    }

    static let edgeCases = [
        "", "a", "0", "-", "a-", "-a", "a-b", "a--b", "a_b", "a.b", "A", "ab-C", "é", "a b", "a\nb",
        String(repeating: "a", count: 63), String(repeating: "a", count: 64), String(repeating: "a", count: 65),
        "a" + String(repeating: "-", count: 62) + "b", "a" + String(repeating: "-", count: 63) + "b",
        String(repeating: "é", count: 40), "addon_purchased", "closed.won", "_", ".", "x-", "9-9",
    ]

    /// Values where the domain and the original pattern disagree, over the edge cases and 20,000 random strings
    /// of 0–70 characters from an alphabet mixing allowed and refused characters; also how many passed.
    private func disagreements(domain: String, originalPattern: String) throws -> (disagreeing: [String], passed: Int, total: Int) {
        var disagreeing: [String] = []
        var passed = 0
        var total = 0
        try connection.query(
            """
            WITH candidates(v) AS (
                SELECT unnest($1::text[])
                UNION ALL
                SELECT (SELECT string_agg(substr('abz09-_.A é', 1 + floor(random() * 11)::int, 1), '')
                          FROM generate_series(1, n))
                  FROM (SELECT setseed(0.42)) s, LATERAL (SELECT floor(random() * 71)::int AS n, g FROM generate_series(1, 20000) g) r
            )
            SELECT COALESCE(v, ''), pg_temp.passes_\(domain)(COALESCE(v, '')), COALESCE(v, '') ~ $2 FROM candidates
            """, [PGArrayLiteral(Self.edgeCases), originalPattern]
        ).rows { row in
            let (value, now, before) = (try row.decode(String.self, 0), try row.decode(Bool.self, 1), try row.decode(Bool.self, 2))
            total += 1
            if now { passed += 1 }
            if now != before { disagreeing.append(value) }
        }.forEach { _ in }
        return (disagreeing, passed, total)
    }

    @Test func slugAcceptsExactlyWhatTheOriginalPatternAccepted() throws {
        let result = try disagreements(domain: "slug", originalPattern: "^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")
        #expect(result.disagreeing.isEmpty, "\(result.disagreeing.prefix(5))")
        #expect(result.passed > 100 && result.total - result.passed > 100, "both outcomes are exercised")
    }

    @Test func metricNameAcceptsExactlyWhatTheOriginalPatternAccepted() throws {
        let result = try disagreements(domain: "metric_name", originalPattern: "^[a-z0-9_.-]{1,64}$")
        #expect(result.disagreeing.isEmpty, "\(result.disagreeing.prefix(5))")
        #expect(result.passed > 100 && result.total - result.passed > 100, "both outcomes are exercised")
    }
}

@Suite("Migration 040: one close per deal")
struct OneClosePerDealMigrationTests {
    @Test("a database whose deals hold two closes is refused with what to do, and migrates once they hold one")
    func refusesDoubleClosesThenMigrates() throws {
        let database = try TestDatabase.create(migrated: false)
        let connection = try database.connect()
        let all = try SchemaMigrations.migrator()
        _ = try PGMigrator(migrations: all.migrations.filter { $0.version < 40 }).migrate(connection)
        try connection.simpleQuery(
            """
            INSERT INTO deals (deal_id, dealer_id) VALUES ('d1', 'x'), ('d2', 'x');
            INSERT INTO events (deal_id, idempotency_key, type, occurred_at, payload_hash, enrolled) VALUES
                ('d1', 'id:a', 'closed_won', now(), 'h', false), ('d1', 'id:b', 'closed_lost', now(), 'h', false),
                ('d2', 'id:c', 'closed_won', now(), 'h', false);
            """)
        let error = #expect(throws: PGError.self) { try all.migrate(connection) }
        #expect(error?.message.contains("1 deals hold more than one closed_won/closed_lost event") == true, "\(String(describing: error))")
        #expect(error?.message.contains("journeylab db migrate again") == true)
        #expect(try connection.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'events_one_close_per_deal'").scalar(Int.self) == 0)
        try connection.simpleQuery("DELETE FROM events WHERE idempotency_key = 'id:b'")
        #expect(try all.migrate(connection) == ["040_one_close_per_deal.sql"])
        #expect(try connection.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'events_one_close_per_deal'").scalar(Int.self) == 1)
    }
}
