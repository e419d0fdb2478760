import Foundation
import JourneyLab
import Postgres
import Testing
import TestSupport

@Suite("Migrations")
struct MigratorTests {
    let migrations = [
        PGMigration(version: 1, name: "001_a.sql", sql: "CREATE TABLE a (id int PRIMARY KEY);"),
        PGMigration(version: 2, name: "002_b.sql", sql: "CREATE TABLE b (id int PRIMARY KEY); INSERT INTO a VALUES (1);"),
    ]

    @Test func freshApplyThenNoOp() throws {
        let connection = try TestDatabase.create(migrated: false).connect()
        let migrator = PGMigrator(migrations: migrations)
        #expect(try migrator.migrate(connection) == ["001_a.sql", "002_b.sql"])
        #expect(try migrator.migrate(connection) == [])
        #expect(try connection.query("SELECT count(*) FROM a").scalar(Int.self) == 1)
        #expect(try migrator.appliedMigrations(connection).map(\.version) == [1, 2])
    }

    @Test func modifiedAppliedFileIsRefused() throws {
        let connection = try TestDatabase.create(migrated: false).connect()
        _ = try PGMigrator(migrations: migrations).migrate(connection)
        var changed = migrations
        changed[0].sql += "\n-- an edit after the fact"
        do {
            _ = try PGMigrator(migrations: changed).migrate(connection)
            Issue.record("a changed applied migration must be refused")
        } catch let error as PGError {
            #expect(error.message.contains("001_a.sql"))
            #expect(error.message.contains("new numbered migration"))
        }
    }

    @Test func failingMigrationRollsBackItsFileOnly() throws {
        let connection = try TestDatabase.create(migrated: false).connect()
        let broken = migrations + [PGMigration(version: 3, name: "003_bad.sql", sql: "CREATE TABLE c (id int); SELECT 1/0;")]
        #expect(throws: PGError.self) { try PGMigrator(migrations: broken).migrate(connection) }
        #expect(try PGMigrator(migrations: broken).appliedMigrations(connection).map(\.version) == [1, 2])
        #expect(try connection.query("SELECT to_regclass('c') IS NULL").scalar(Bool.self))
    }

    @Test func concurrentMigratorsDoNotCollide() async throws {
        let database = try TestDatabase.create(migrated: false)
        let real = try SchemaMigrations.migrator()
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let pool = database.pool(size: 1)
                    let applied = try await pool.withConnection { try real.migrate($0) }
                    await pool.shutdown()
                    return applied
                }
            }
            var all: [[String]] = []
            for try await applied in group { all.append(applied) }
            return all
        }
        // Exactly one runner applied each file; the others found it done.
        #expect(results.flatMap { $0 }.sorted() == real.migrations.map(\.name).sorted())
        let connection = try database.connect()
        #expect(try real.pending(connection).isEmpty)
    }

    @Test func shippedSchemaEnforcesIntegrity() throws {
        let connection = try TestDatabase.create().connect()
        // The audit log is append-only in the database itself.
        try connection.execute(
            "INSERT INTO audit_log (actor, action, entity_type, entity_key) VALUES ('cli:test', 'test', 'journey', 'j')")
        #expect(throws: PGError.self) { try connection.execute("DELETE FROM audit_log") }
        #expect(throws: PGError.self) { try connection.execute("UPDATE audit_log SET actor = 'someone else'") }
        // Slugs and metric names are checked by domains.
        do {
            try connection.execute("INSERT INTO segments (key, name) VALUES ('Not A Slug', 'x')")
            Issue.record("a bad slug must be refused")
        } catch let error as PGError {
            #expect(error.code == .checkViolation)
        }
    }
}
