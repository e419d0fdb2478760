import Foundation
import Postgres
import Testing
import TestSupport

@Suite("Transactions, errors, COPY and pipeline mode")
struct TransactionTests {
    let connection: PGConnection

    init() throws {
        connection = try TestDatabase.create(migrated: false).connect()
        try connection.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)")
    }

    struct Boom: Error {}

    @Test func rollbackOnThrowLeavesNothing() throws {
        #expect(throws: Boom.self) {
            try connection.withTransaction { connection in
                try connection.execute("INSERT INTO items VALUES (1, 'a')")
                try connection.execute("INSERT INTO items VALUES (2, 'b')")
                throw Boom()
            }
        }
        #expect(try connection.query("SELECT count(*) FROM items").scalar(Int.self) == 0)
        #expect(!connection.isInTransaction)
    }

    @Test func commitOnReturnAndNestedSavepoint() throws {
        try connection.withTransaction { connection in
            try connection.execute("INSERT INTO items VALUES (1, 'kept')")
            _ = try? connection.withTransaction { connection in
                try connection.execute("INSERT INTO items VALUES (2, 'rolled back')")
                throw Boom()
            }
        }
        let names = try connection.query("SELECT name FROM items ORDER BY id").rows { try $0.decode(String.self, 0) }
        #expect(names == ["kept"])
    }

    @Test func uniqueViolationIsDistinguishable() throws {
        try connection.execute("INSERT INTO items VALUES (1, 'a')")
        do {
            try connection.execute("INSERT INTO items VALUES (1, 'again')")
            Issue.record("a duplicate key must fail")
        } catch let error as PGError {
            #expect(error.code == .uniqueViolation)
            #expect(error.sqlState == "23505")
            #expect(error.constraint == "items_pkey")
            #expect(error.detail?.contains("already exists") == true)
        }
        // The connection is still usable.
        #expect(try connection.query("SELECT count(*) FROM items").scalar(Int.self) == 1)
    }

    @Test func otherErrorKinds() throws {
        do {
            try connection.execute("INSERT INTO items VALUES (1, NULL)")
            Issue.record("NULL into NOT NULL must fail")
        } catch let error as PGError {
            #expect(error.code == .notNullViolation)
        }
        do {
            try connection.execute("SELECT $1::int4", ["not a number"])
            Issue.record("a bad integer must fail")
        } catch let error as PGError {
            #expect(error.code == .invalidInput)
        }
        try connection.execute("SET statement_timeout = 50")
        do {
            try connection.execute("SELECT pg_sleep(2)")
            Issue.record("statement_timeout must cancel")
        } catch let error as PGError {
            #expect(error.code == .queryTimeout)
        }
    }

    @Test func copyOfHundredThousandRowsArrivesComplete() throws {
        let count = 100_000
        let copied = try connection.copyIn("COPY items (id, name) FROM STDIN") { writer in
            for id in 0..<count { try writer.row([String(id), "item \(id)\twith tab\\and backslash"]) }
        }
        #expect(copied == count)
        let summary = try connection.query("SELECT count(*), sum(id), count(DISTINCT name) FROM items")
        #expect(try summary.firstRow { try $0.decode(Int.self, 0) } == count)
        #expect(try summary.firstRow { try $0.decode(Int64.self, 1) } == Int64(count * (count - 1) / 2))
        #expect(try summary.firstRow { try $0.decode(Int.self, 2) } == count)
        let sample = try connection.query("SELECT name FROM items WHERE id = 77").scalar(String.self)
        #expect(sample == "item 77\twith tab\\and backslash")
    }

    @Test func failedCopyStoresNothing() throws {
        #expect(throws: PGError.self) {
            try connection.copyIn("COPY items (id, name) FROM STDIN") { writer in
                try writer.row(["1", "ok"])
                try writer.row(["1", "duplicate key"])
            }
        }
        #expect(try connection.query("SELECT count(*) FROM items").scalar(Int.self) == 0)
    }

    @Test func pipelineRunsABatchAndFailsAtomicallyInATransaction() throws {
        let batch = (1...500).map { PGStatement("INSERT INTO items VALUES ($1::int4, $2)", [$0, "n\($0)"]) }
        let affected = try connection.withTransaction { try $0.pipeline(batch) }
        #expect(affected == Array(repeating: 1, count: 500))

        let bad = [PGStatement("INSERT INTO items VALUES (1000, 'x')"), PGStatement("INSERT INTO items VALUES (1, 'dup')")]
        #expect(throws: PGError.self) { try connection.withTransaction { try $0.pipeline(bad) } }
        #expect(try connection.query("SELECT count(*) FROM items").scalar(Int.self) == 500)
        // Still usable after a failed pipeline.
        #expect(try connection.query("SELECT 1").scalar(Int.self) == 1)
    }
}
