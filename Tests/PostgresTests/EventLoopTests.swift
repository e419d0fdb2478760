import Foundation
import Postgres
import Testing
import TestSupport

/// `PGPool.execute` / `PGPool.query`: single statements driven by the pool's event loops.
@Suite("Event-loop statements")
struct EventLoopTests {
    @Test("one loop thread keeps several statements in flight: four sleeps overlap on the server")
    func statementsOverlapOnOneLoop() async throws {
        let pool = try TestDatabase.create(migrated: false).pool(size: 4, eventLoops: 1)
        let spans = try await withThrowingTaskGroup(of: (Date, Date).self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let rows = try await pool.query("SELECT clock_timestamp(), (SELECT clock_timestamp() FROM pg_sleep(0.3))") {
                        (try $0.decode(Date.self, 0), try $0.decode(Date.self, 1))
                    }
                    return rows[0]
                }
            }
            return try await group.reduce(into: [(Date, Date)]()) { $0.append($1) }
        }
        // Run one after another, the last would start after the first ended; in flight together, every
        // statement starts before any ends.
        #expect(spans.count == 4)
        #expect(spans.map(\.0).max()! < spans.map(\.1).min()!)
        await pool.shutdown()
    }

    @Test("64 statements over 4 connections and 2 loops: every value comes back to its caller")
    func manyStatementsFewConnections() async throws {
        let pool = try TestDatabase.create(migrated: false).pool(size: 4, eventLoops: 2)
        let answers = try await withThrowingTaskGroup(of: (Int, Int, Int32).self) { group in
            for index in 0..<64 {
                group.addTask {
                    let rows = try await pool.query("SELECT $1::int4 * 2, pg_backend_pid() FROM pg_sleep(0.005)", [index]) {
                        (try $0.decode(Int.self, 0), try $0.decode(Int32.self, 1))
                    }
                    return (index, rows[0].0, rows[0].1)
                }
            }
            return try await group.reduce(into: [(Int, Int, Int32)]()) { $0.append($1) }
        }
        #expect(answers.count == 64)
        #expect(answers.allSatisfy { $0.1 == $0.0 * 2 })
        #expect(Set(answers.map(\.2)).count <= 4)
        #expect(pool.usage.open <= 4)
        #expect(pool.usage.waiting == 0)
        await pool.shutdown()
    }

    @Test("errors map like the blocking path's and leave the connection usable; values are data")
    func errorsAndParameters() async throws {
        let pool = try TestDatabase.create(migrated: false).pool(size: 1)
        let backend = { try await pool.query("SELECT pg_backend_pid()") { try $0.decode(Int32.self, 0) }[0] }
        let firstBackend = try await backend()
        try await pool.execute("CREATE TABLE loop_kv (id int8 PRIMARY KEY, v text NOT NULL)")
        let hostile = "'; DROP TABLE loop_kv; -- «кавычки»"
        #expect(try await pool.execute("INSERT INTO loop_kv VALUES ($1::int8, $2)", [1, hostile]) == 1)
        do {
            try await pool.execute("INSERT INTO loop_kv VALUES ($1::int8, $2)", [1, "again"])
            Issue.record("a duplicate key must fail")
        } catch let error as PGError {
            #expect(error.code == .uniqueViolation)
            #expect(error.constraint == "loop_kv_pkey")
        }
        do {
            try await pool.execute("SELEC 1")
            Issue.record("a syntax error must fail")
        } catch let error as PGError {
            #expect(error.sqlState == "42601")
        }
        do {
            try await pool.execute("INSERT INTO loop_kv VALUES (2, $1)", ["a\u{0}b"])
            Issue.record("a NUL character must be refused")
        } catch let error as PGError {
            #expect(error.code == .invalidInput)
        }
        // The one connection survived all three failures and stored only the first row, verbatim.
        let stored = try await pool.query("SELECT id, v FROM loop_kv ORDER BY id") { (try $0.decode(Int.self, 0), try $0.decode(String.self, 1)) }
        #expect(stored.count == 1)
        #expect(stored.first?.1 == hostile)
        #expect(try await backend() == firstBackend)
        await pool.shutdown()
    }

    @Test("a reusable statement is prepared once on its connection and keeps answering")
    func reusableStatementsArePrepared() async throws {
        let pool = try TestDatabase.create(migrated: false).pool(size: 1)
        for index in 0..<40 {
            let value = try await pool.query("SELECT $1::int4 + 1 AS loop_marker", [index], planning: .reusable) { try $0.decode(Int.self, 0) }
            #expect(value == [index + 1])
        }
        let prepared = try await pool.query(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%loop_marker%'") { try $0.decode(Int.self, 0) }
        #expect(prepared == [1])
        await pool.shutdown()
    }

    @Test func terminatedBackendsAreReplaced() async throws {
        let database = try TestDatabase.create(migrated: false)
        let pool = database.pool(size: 2, eventLoops: 2)
        let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<2 {
                group.addTask { try await pool.query("SELECT pg_backend_pid() FROM pg_sleep(0.2)") { try $0.decode(Int32.self, 0) }[0] }
            }
            return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
        }
        #expect(pids.count == 2)
        let admin = try database.connect()
        for pid in pids { _ = try admin.query("SELECT pg_terminate_backend($1::int4)", [pid]) }
        for _ in 0..<4 {
            let pid = try await pool.query("SELECT pg_backend_pid()") { try $0.decode(Int32.self, 0) }[0]
            #expect(!pids.contains(pid))
        }
        await pool.shutdown()
    }

    @Test("tasks that prefer a loop stay on its thread; after shutdown they still run and get .poolClosed")
    func tasksPreferringALoop() async throws {
        let pool = try TestDatabase.create(migrated: false).pool(size: 4, eventLoops: 2)
        let loop = pool.eventLoops[1]
        #expect(!loop.isCurrentThread)
        let stayed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<16 {
                group.addTask(executorPreference: loop) {
                    var onLoop = loop.isCurrentThread
                    for _ in 0..<5 {
                        try await pool.execute("SELECT $1::int4 FROM pg_sleep(0.001)", [index])
                        onLoop = onLoop && loop.isCurrentThread
                    }
                    return onLoop
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(stayed.count == 16 && stayed.allSatisfy { $0 })
        await pool.shutdown()
        let late = await Task(executorPreference: loop) { () -> PGError.Code? in
            do {
                try await pool.execute("SELECT 1")
                return nil
            } catch {
                return (error as? PGError)?.code
            }
        }.value
        #expect(late == .poolClosed)
    }
}
