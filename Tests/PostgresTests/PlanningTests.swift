import Foundation
import Postgres
import Testing
import TestSupport

/// `PGPlanning`: which statements are prepared, and that a reusable statement's generic plan follows the
/// growth of its table instead of keeping the plan made when the table was small.
@Suite("Plan reuse per statement")
struct PlanningTests {
    let connection: PGConnection

    init() throws {
        connection = try TestDatabase.create(migrated: false).connect()
        try connection.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)")
        try connection.execute("INSERT INTO items VALUES (1, 'one')")
        try connection.simpleQuery("ANALYZE items")
    }

    private func preparedStatements() throws -> [String] {
        try connection.query("SELECT name FROM pg_prepared_statements ORDER BY name").rows { try $0.decode(String.self, 0) }
    }

    /// Sequential and index scans of `items` made by `body`, from this backend's not yet reported counters
    /// (`pg_stat_xact_user_tables` also holds earlier transactions' scans until they are flushed: take the
    /// difference within one transaction).
    private func scans(_ body: () throws -> Void) throws -> (sequential: Int, index: Int) {
        try connection.withTransaction { connection in
            func counters() throws -> (Int, Int) {
                try connection.query(
                    "SELECT seq_scan, COALESCE(idx_scan, 0) FROM pg_stat_xact_user_tables WHERE relname = 'items'"
                ).firstRow { (try $0.decode(Int.self, 0), try $0.decode(Int.self, 1)) } ?? (0, 0)
            }
            let before = try counters()
            try body()
            let after = try counters()
            return (after.0 - before.0, after.1 - before.1)
        }
    }

    private let lookup = "SELECT name FROM items WHERE id = ANY($1::int4[])"

    @Test func perExecutionStatementsAreNeverPrepared() throws {
        for _ in 0..<5 { _ = try connection.query(lookup, [PGArrayLiteral([1, 2])]) }
        #expect(try preparedStatements().isEmpty)
    }

    @Test func reusableStatementsArePreparedOnTheSecondRunAndRenewedAsRunsDouble() throws {
        _ = try connection.query(lookup, [PGArrayLiteral([1])], planning: .reusable)
        #expect(try preparedStatements().isEmpty, "a statement that ran once is not worth a prepare round trip")
        _ = try connection.query(lookup, [PGArrayLiteral([1])], planning: .reusable)
        let first = try preparedStatements()
        #expect(first.count == 1)
        for _ in 0..<14 { _ = try connection.query(lookup, [PGArrayLiteral([1])], planning: .reusable) }
        let renewed = try preparedStatements()
        #expect(renewed.count == 1, "the old statement is deallocated when it is renewed")
        #expect(renewed != first)
        // The rows are right whichever plan ran.
        let names = try connection.query(lookup, [PGArrayLiteral([1, 5])], planning: .reusable).rows { try $0.decode(String.self, 0) }
        #expect(names == ["one"])
    }

    @Test func aReusablePlanFollowsItsTablesGrowth() throws {
        // Prepared and run on a one-row table: PostgreSQL's generic plan is a sequential scan.
        for _ in 0..<10 { _ = try connection.query(lookup, [PGArrayLiteral([1])], planning: .reusable) }
        let small = try scans {
            for _ in 0..<3 { _ = try connection.query(lookup, [PGArrayLiteral([1])], planning: .reusable) }
        }
        #expect(small.sequential == 3, "precondition: the plan made for the one-row table scans it")

        // The table grows 50,000-fold (no ANALYZE, as between two autovacuum runs).
        try connection.execute("INSERT INTO items SELECT i, 'item ' || i FROM generate_series(2, 50000) i")
        for _ in 0..<40 { _ = try connection.query(lookup, [PGArrayLiteral([7, 70])], planning: .reusable) }
        let large = try scans {
            for _ in 0..<5 { _ = try connection.query(lookup, [PGArrayLiteral([7, 70])], planning: .reusable) }
        }
        #expect(large.sequential == 0)
        #expect(large.index >= 5, "one index scan per lookup at least (one per array element)")
    }

    @Test func pipelinedReusableStatementsUseThePreparedStatement() throws {
        for round in 0..<3 {
            try connection.withTransaction {
                try $0.pipeline([
                    PGStatement("INSERT INTO items SELECT * FROM unnest($1::int4[], $2::text[])",
                                [PGArrayLiteral([10 + round]), PGArrayLiteral(["ten"])], planning: .reusable)
                ])
            }
        }
        #expect(try preparedStatements().count == 1)
        #expect(try connection.query("SELECT count(*) FROM items WHERE name = 'ten'").scalar(Int.self) == 3)
    }

    @Test func oneReusableTextRepeatedInAPipelineSurvivesItsRenewal() throws {
        // 40 runs of one text in one pipeline would cross the renewal at 16 runs part-way through.
        for round in 0..<3 {
            let statements = (0..<40).map { index in
                PGStatement("INSERT INTO items VALUES ($1::int4, 'batch')", [1_000 + round * 40 + index], planning: .reusable)
            }
            try connection.withTransaction { try $0.pipeline(statements) }
        }
        #expect(try connection.query("SELECT count(*) FROM items WHERE name = 'batch'").scalar(Int.self) == 120)
    }
}
