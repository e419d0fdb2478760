import Foundation
import Hummingbird
import HummingbirdTesting
import JourneyLab
import Postgres
import Testing
import TestSupport

@testable import Server

/// The server's least-privilege role: `ApplicationRole.grant` (what `journeylab db grant` runs) gives a login role
/// enough for every route and the lifecycle ticker, and nothing that deletes, rewrites or changes the schema.
@Suite("Database roles: owner migrates, the server's role only reads and appends")
struct DatabaseRoleTests {
    /// Journey `car-x` with stages first-visit and test-drive, and three hypotheses whose lifecycle moves are
    /// due: `h-email` (running, block randomization, exclusion group, target 4 deals → ready once 4 close),
    /// `h-later` (scheduled an hour ago, no plan hash yet → running) and `h-old` (running for 200 of at most
    /// 180 days → expired). Written as the owner.
    static func insertHypotheses(_ connection: PGConnection) throws {
        try connection.simpleQuery(
            """
            INSERT INTO segments (key, name) VALUES ('family-men-30', 'Family men 30+');
            INSERT INTO journeys (key, segment_key, name) VALUES ('car-x', 'family-men-30', 'Car X');
            INSERT INTO stages (journey_key, key, position, name) VALUES
                ('car-x', 'first-visit', 0, 'First visit'), ('car-x', 'test-drive', 1, 'Test drive');
            INSERT INTO hypotheses (key, journey_key, stage_key, title, metric, target_deals, alpha, power, min_days,
                                    max_days, seed, exclusion_group)
            VALUES ('h-email', 'car-x', 'first-visit', 'Email chain', 'addon_purchased', 4, 0.05, 0.8, 0, 180, 42, 'contact'),
                   ('h-later', 'car-x', 'test-drive', 'Later', 'closed_won', 150, 0.05, 0.8, 0, 180, 7, NULL),
                   ('h-old', 'car-x', 'test-drive', 'Old', 'closed_won', 150, 0.05, 0.8, 0, 180, 9, NULL);
            """)
        for key in ["h-email", "h-later", "h-old"] {
            try HypothesisStore.insertArms(
                key, [.init(name: "control", weight: 1, isControl: true), .init(name: "treatment", weight: 1, isControl: false)],
                connection)
        }
        try connection.simpleQuery(
            """
            UPDATE hypotheses SET status = 'running', plan_hash = repeat('a', 64), started_at = now() WHERE key = 'h-email';
            UPDATE hypotheses SET status = 'scheduled', start_at = now() - interval '1 hour' WHERE key = 'h-later';
            UPDATE hypotheses SET status = 'running', plan_hash = repeat('b', 64), started_at = now() - interval '200 days'
             WHERE key = 'h-old';
            """)
    }

    func appServer(_ roles: TestRoles) -> ServerConfiguration {
        ServerConfiguration(
            host: "127.0.0.1", port: 0, database: roles.appConfiguration, poolSize: 4, acquireTimeout: .seconds(5),
            logLevel: .warning, migrateOnStart: false)
    }

    @Test("as the granted role: every route, the scheduler's writes and the lifecycle ticker work")
    func everyRouteWorksAsTheAppRole() async throws {
        let roles = try TestRoles.create()
        defer { try? roles.drop() }
        let owner = try roles.database.connect()
        _ = try ApplicationRole.grant(to: roles.app, owner)
        let fixture = try ServerFixture.make(database: roles.database)
        try Self.insertHypotheses(owner)

        let app = try await buildApplication(appServer(roles))
        try await app.test(.live) { client in
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
                let reply = try await client.call(.get, path)
                #expect(reply.status == 200, "\(path): \(reply.body)")
            }
            // New deals (insert deal, take block slots, assign, claim the exclusion group) and an existing one
            // (deal-a1, stored by the fixture: locked with SELECT … FOR UPDATE, then enrolled).
            for deal in ["d-1", "d-2", "d-3", "deal-a1"] {
                let reply = try await client.call(
                    .post, "/v1/assignments", key: fixture.dealerA,
                    json: #"{"deal_id":"\#(deal)","dealer_id":"dealer-a","stage":"first-visit","attributes":{"channel":"web"}}"#)
                #expect(reply.status == 200, "\(deal): \(reply.body)")
                #expect(
                    (reply.json["assignments"] as? [[String: Any]])?.first?["hypothesis_id"] as? String == "h-email",
                    "\(reply.body)")
            }
            let repeated = try await client.call(
                .post, "/v1/assignments", key: fixture.admin,
                json: #"{"deal_id":"d-1","dealer_id":"dealer-a","stage":"first-visit"}"#)
            #expect(repeated.status == 200, "\(repeated.body)")

            let events = #"""
                {"events":[{"event_id":"e1","deal_id":"d-1","type":"closed_won","value":1200.50},
                           {"event_id":"e2","deal_id":"d-2","type":"closed_lost"},
                           {"event_id":"e3","deal_id":"d-3","type":"closed_won"},
                           {"event_id":"e4","deal_id":"deal-a1","type":"closed_won"},
                           {"event_id":"e5","deal_id":"d-1","type":"addon_purchased","value":45000},
                           {"deal_id":"d-2","type":"stage_reached","stage":"test-drive"}]}
                """#
            let stored = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: events)
            #expect(stored.status == 200, "\(stored.body)")
            #expect(stored.json["accepted"] as? Int == 6)
            let again = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: events)
            #expect(again.status == 200, "\(again.body)")
            #expect(again.json["duplicates"] as? Int == 6)

            for path in ["/v1/hypotheses", "/v1/hypotheses/h-email", "/v1/hypotheses/h-email/report", "/reports/h-email"] {
                let reply = try await client.call(.get, path, key: fixture.analyst)
                #expect(reply.status == 200, "\(path): \(reply.body.prefix(500))")
            }
            let report = try await client.call(.get, "/v1/hypotheses/h-email/report", key: fixture.admin)
            #expect((report.json["arms"] as? [[String: Any]])?.map { $0["enrolled"] as? Int ?? 0 }.reduce(0, +) == 4)
        }

        // The lifecycle ticker as the app role: all three moves, each with its audit row.
        let pool = PGPool(configuration: roles.appConfiguration, options: .init(size: 1))
        let moves: [LifecycleTicker.Move]
        do {
            moves = try await LifecycleTicker(pool: pool).tick()
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            throw error
        }
        #expect(
            Set(moves.map { "\($0.hypothesisKey):\($0.to.rawValue)" }) == ["h-email:ready", "h-later:running", "h-old:expired"])
        let statuses = try owner.query("SELECT key::text || ':' || status FROM hypotheses ORDER BY key").rows {
            try $0.decode(String.self, 0)
        }
        #expect(statuses == ["h-email:ready", "h-later:running", "h-old:expired"])
        #expect(try owner.query("SELECT count(*) FROM audit_log WHERE actor = 'scheduler'").scalar(Int.self) == 3)
        #expect(try owner.query("SELECT count(*) FROM exclusion_claims").scalar(Int.self) == 4)
        #expect(try owner.query("SELECT plan_hash IS NOT NULL FROM hypotheses WHERE key = 'h-later'").scalar(Bool.self))
    }

    @Test("as the granted role: deleting, rewriting, key and migration writes and DDL fail with 42501")
    func everythingElseIsRefused() throws {
        let roles = try TestRoles.create()
        defer { try? roles.drop() }
        let owner = try roles.database.connect()
        _ = try ApplicationRole.grant(to: roles.app, owner)
        let fixture = try ServerFixture.make(database: roles.database)
        try owner.execute(
            "INSERT INTO events (deal_id, idempotency_key, type, occurred_at, payload_hash, enrolled) VALUES ('deal-a1', 'k', 'closed_won', now(), 'h', false)"
        )
        try owner.execute(
            "INSERT INTO audit_log (actor, action, entity_type, entity_key) VALUES ('test', 'x', 'deal', 'deal-a1')")
        #expect(try fixture.count("SELECT count(*) FROM api_keys") == 4)

        let app = try roles.connectAsApp()
        let refused = [
            "DELETE FROM events",
            "TRUNCATE events",
            "UPDATE events SET value = 0",
            "UPDATE audit_log SET actor = 'someone else'",
            "DELETE FROM audit_log",
            "SELECT * FROM audit_log",
            "INSERT INTO api_keys (id, name, role, secret_hash) VALUES ('key_evil0000', 'x', 'admin', repeat('0', 64))",
            "UPDATE api_keys SET revoked_at = NULL",
            "DELETE FROM api_keys",
            "SELECT name FROM api_keys",
            "DROP TABLE events",
            "CREATE TABLE evil (id int)",
            "ALTER TABLE events ADD COLUMN evil int",
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, '999_evil.sql', 'x')",
            "DELETE FROM schema_migrations",
            "DELETE FROM deals",
            "UPDATE deals SET dealer_id = 'dealer-b'",
            "UPDATE assignments SET arm = 'treatment'",
            "DELETE FROM assignments",
            "UPDATE randomization_cursors SET stratum = 'x'",
            "UPDATE hypotheses SET metric = 'closed_won'",
            "INSERT INTO arms (hypothesis_key, name, position, weight, is_control) VALUES ('h', 'x', 9, 1, false)",
            "INSERT INTO segments (key, name) VALUES ('evil', 'Evil')",
            "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        ]
        for statement in refused {
            do {
                try app.simpleQuery(statement)
                Issue.record("the app role could run: \(statement)")
            } catch let error as PGError {
                #expect(error.sqlState == "42501", "\(statement): \(error)")
            }
        }
        // Nothing changed.
        #expect(try fixture.count("SELECT count(*) FROM events") == 1)
        #expect(try fixture.count("SELECT count(*) FROM audit_log WHERE actor = 'test' AND action = 'x'") == 1)
        #expect(try fixture.count("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL") == 4)
        #expect(try fixture.count("SELECT count(*) FROM schema_migrations WHERE version = 999") == 0)
    }

    @Test("grant is idempotent and revokes privileges added by hand")
    func grantTwiceRevokesExtras() throws {
        let roles = try TestRoles.create()
        defer { try? roles.drop() }
        let owner = try roles.database.connect()
        let first = try ApplicationRole.grant(to: roles.app, owner)
        #expect(first.statements.contains { $0.hasPrefix("GRANT CONNECT ON DATABASE") })
        #expect(first.statements.allSatisfy { !$0.contains("DELETE") && !$0.contains("TRUNCATE") })
        #expect(try ApplicationRole.differences(role: roles.app, schema: "public", owner).isEmpty)

        try owner.simpleQuery(
            "GRANT DELETE, TRUNCATE ON events TO \(roles.app); GRANT ALL ON api_keys TO \(roles.app); GRANT CREATE ON SCHEMA public TO \(roles.app)"
        )
        let extras = try ApplicationRole.differences(role: roles.app, schema: "public", owner)
        #expect(extras.contains("extra: DELETE on events"), "\(extras)")
        #expect(extras.contains("extra: CREATE on schema public"), "\(extras)")
        #expect(extras.contains("extra: UPDATE on api_keys.secret_hash"), "\(extras)")
        let app = try roles.connectAsApp()
        try app.simpleQuery("DELETE FROM events WHERE false")  // the extra privilege works before the second grant

        let second = try ApplicationRole.grant(to: roles.app, owner)
        #expect(second.statements == first.statements)
        #expect(try ApplicationRole.differences(role: roles.app, schema: "public", owner).isEmpty)
        for statement in [
            "DELETE FROM events WHERE false", "CREATE TABLE evil (id int)", "UPDATE api_keys SET name = 'x' WHERE false",
        ] {
            #expect(throws: PGError.self, "\(statement)") { try app.simpleQuery(statement) }
        }
    }

    @Test("every table of the schema is either granted or deliberately withheld")
    func everyTableIsAccountedFor() throws {
        let connection = try TestDatabase.create().connect()
        let tables = Set(
            try connection.query(
                "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm')"
            ).rows { try $0.decode(String.self, 0) })
        let granted = Set(ApplicationRole.privileges.filter { $0.kind != .usage }.map(\.object))
        #expect(granted.union(ApplicationRole.withheldTables) == tables, "decide what the server may do with a new table")
        #expect(granted.isDisjoint(with: ApplicationRole.withheldTables))
    }

    @Test("grant refuses an unknown role, a superuser and the owner itself")
    func grantRefusesRolesItCannotRestrict() throws {
        let roles = try TestRoles.create()
        defer { try? roles.drop() }
        let owner = try roles.database.connect()
        for (role, kind) in [
            ("jl_no_such_role_\(UInt32.random(in: 0...UInt32.max))", JourneyLabError.Kind.notFound),
            ("postgres", .invalidInput), (roles.owner, .invalidInput),
        ] {
            do {
                _ = try ApplicationRole.grant(to: role, owner)
                Issue.record("granted to \(role)")
            } catch let error as JourneyLabError {
                #expect(error.kind == kind, "\(role): \(error.message)")
                #expect(error.isUsageError)
            }
        }
    }

    @Test("as the app role: an up-to-date schema passes the migrator; a behind one asks for the owner, /readyz says 503")
    func migrationsNeedTheOwner() async throws {
        let roles = try TestRoles.create()
        defer { try? roles.drop() }
        let owner = try roles.database.connect()
        _ = try ApplicationRole.grant(to: roles.app, owner)
        let migrator = try SchemaMigrations.migrator()
        #expect(try migrator.migrate(roles.connectAsApp()) == [])

        // Pretend the last migration is new: the owner's record of it disappears.
        let last = try #require(migrator.migrations.last)
        try owner.execute("DELETE FROM schema_migrations WHERE version = $1::int4", [last.version])
        do {
            _ = try migrator.migrate(roles.connectAsApp())
            Issue.record("the app role applied a migration")
        } catch let error as PGError {
            #expect(error.code == .insufficientPrivilege)
            #expect(error.message.contains("journeylab db migrate` as the schema owner"), "\(error.message)")
        }

        let app = try await buildApplication(appServer(roles))
        try await app.test(.live) { client in
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == 503)
            #expect(ready.json["ready"] as? Bool == false)
            #expect(ready.headers[.retryAfter] != nil)
        }
    }

    @Test("JOURNEYLAB_MIGRATE_ON_START reads true and false and refuses anything else")
    func migrateOnStartFromEnvironment() throws {
        var configuration = ServerConfiguration(database: try PGConfiguration("host=/tmp dbname=x"))
        #expect(configuration.migrateOnStart)
        try configuration.apply(environment: ["JOURNEYLAB_MIGRATE_ON_START": "false"])
        #expect(!configuration.migrateOnStart)
        try configuration.apply(environment: ["JOURNEYLAB_MIGRATE_ON_START": "1"])
        #expect(configuration.migrateOnStart)
        #expect(throws: JourneyLabError.self) { try configuration.apply(environment: ["JOURNEYLAB_MIGRATE_ON_START": "maybe"]) }
    }
}
