import Foundation
import Postgres
import Testing
import TestSupport

@Suite("Connection pool")
struct PoolTests {
    @Test func sixtyFourTasksOverFourConnectionsAllComplete() async throws {
        let database = try TestDatabase.create(migrated: false)
        let pool = database.pool(size: 4)
        let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<64 {
                group.addTask {
                    try await pool.withConnection { connection in
                        _ = try connection.query("SELECT pg_sleep(0.01), $1::int4", [index])
                        return connection.backendPID
                    }
                }
            }
            var pids: [Int32] = []
            for try await pid in group { pids.append(pid) }
            return pids
        }
        #expect(pids.count == 64)
        #expect(Set(pids).count <= 4)  // never more sessions than the pool's size
        #expect(pool.usage.open <= 4)
        #expect(pool.usage.waiting == 0)
        await pool.shutdown()
    }

    @Test func exhaustedPoolTimesOutInsteadOfHanging() async throws {
        let database = try TestDatabase.create(migrated: false)
        let pool = database.pool(size: 1, acquireTimeout: .milliseconds(200))
        let holder = Task { try await pool.withConnection { _ = try $0.query("SELECT pg_sleep(5)") } }
        // Wait until the holder has the only connection (under a loaded parallel suite it may start late).
        while !(pool.usage.open == 1 && pool.usage.idle == 0) { try await Task.sleep(for: .milliseconds(10)) }
        let started = ContinuousClock.now
        do {
            try await pool.withConnection { _ = try $0.query("SELECT 1") }
            Issue.record("the second borrower must time out")
        } catch let error as PGError {
            #expect(error.code == .poolTimeout)
        }
        // It gave up (the holder still had the connection), it did not wait its turn; the bound is loose
        // because the whole suite runs in parallel on two cores.
        #expect(ContinuousClock.now - started < .seconds(10))
        try await holder.value
        // Once the holder is done the pool serves again.
        #expect(try await pool.withConnection { try $0.query("SELECT 7").scalar(Int.self) } == 7)
        await pool.shutdown()
    }

    @Test func terminatedBackendsAreReplacedTransparently() async throws {
        let database = try TestDatabase.create(migrated: false)
        let pool = database.pool(size: 3)
        // Open all three sessions.
        let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<3 {
                group.addTask { try await pool.withConnection { _ = try $0.query("SELECT pg_sleep(0.2)"); return $0.backendPID } }
            }
            var pids: [Int32] = []
            for try await pid in group { pids.append(pid) }
            return pids
        }
        #expect(Set(pids).count == 3)
        let admin = try database.connect()
        for pid in Set(pids) {
            #expect(try admin.query("SELECT pg_terminate_backend($1::int4)", [pid]).scalar(Bool.self))
        }
        // The next queries succeed on fresh sessions.
        for _ in 0..<5 {
            let pid = try await pool.withConnection { connection -> Int32 in
                _ = try connection.query("SELECT 1")
                return connection.backendPID
            }
            #expect(!pids.contains(pid))
        }
        await pool.shutdown()
    }

    @Test func shutdownRefusesNewWork() async throws {
        let pool = try TestDatabase.create(migrated: false).pool(size: 1)
        _ = try await pool.withConnection { try $0.query("SELECT 1").scalar(Int.self) }
        await pool.shutdown()
        do {
            _ = try await pool.withConnection { try $0.query("SELECT 1").scalar(Int.self) }
            Issue.record("a closed pool must refuse")
        } catch let error as PGError {
            #expect(error.code == .poolClosed)
        }
    }

    @Test("blocking work runs on the pool's threads; tasks that prefer them run it inline, 32 over 4 connections")
    func blockingWorkStaysOnThePoolThreads() async throws {
        let pool = try TestDatabase.create(migrated: false).pool(size: 4)
        // From an ordinary task: the body hops to a pool thread.
        let fromOrdinaryTask = try await pool.withConnection { _ in pool.executor.isCurrentThread }
        #expect(fromOrdinaryTask)
        #expect(!pool.executor.isCurrentThread)
        // Tasks preferring the pool's executor: before, inside and after each borrow they are on its threads,
        // also when 32 of them wait for 4 connections.
        let checks = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<32 {
                group.addTask(executorPreference: pool.executor) {
                    var onPoolThreads = pool.executor.isCurrentThread
                    for _ in 0..<5 {
                        onPoolThreads = try await pool.withConnection { connection in
                            _ = try connection.query("SELECT pg_sleep(0.002), $1::int4", [index])
                            return pool.executor.isCurrentThread
                        } && onPoolThreads && pool.executor.isCurrentThread
                    }
                    return onPoolThreads
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(checks.count == 32)
        #expect(checks.allSatisfy { $0 })
        #expect(pool.usage.open <= 4)
        await pool.shutdown()
        // After shutdown a task that still prefers the executor is not stranded: it runs and gets .poolClosed.
        let late = await Task(executorPreference: pool.executor) { () -> PGError.Code? in
            do {
                _ = try await pool.withConnection { _ in 1 }
                return nil
            } catch let error as PGError {
                return error.code
            } catch {
                return nil
            }
        }.value
        #expect(late == .poolClosed)
    }
}
