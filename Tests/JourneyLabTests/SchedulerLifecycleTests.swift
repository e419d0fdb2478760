import Foundation
import Postgres
import Testing

@testable import JourneyLab

/// `LifecycleTicker` with a hand-moved clock.
@Suite("Scheduler lifecycle")
struct SchedulerLifecycleTests {
    static func status(_ fixture: SchedulerFixture, _ key: String) throws -> Hypothesis.Status {
        try HypothesisStore.require(key, fixture.database.connect()).status
    }

    @Test("scheduled → running at start_at, with started_at and an audit row")
    func starts() async throws {
        let fixture = try SchedulerFixture()
        let startAt = SchedulerFixture.start.addingTimeInterval(3 * 86_400)
        try fixture.addHypothesis("soon", status: .scheduled, startAt: startAt)
        try fixture.addHypothesis("unscheduled", status: .draft)
        let ticker = LifecycleTicker(pool: fixture.pool, clock: fixture.clock)

        #expect(try await ticker.tick().isEmpty)
        #expect(try Self.status(fixture, "soon") == .scheduled)
        // A scheduled hypothesis enrolls no one yet.
        let before = try await fixture.scheduler().assign(AssignmentRequest(dealID: "D-1", dealerID: "d", stage: "first-visit"), actor: "t")
        #expect(before.assignments.isEmpty)

        fixture.clock.advance(days: 3)
        let moves = try await ticker.tick()
        #expect(moves.map(\.hypothesisKey) == ["soon"])
        #expect(moves.first?.from == .scheduled && moves.first?.to == .running)
        let started = try HypothesisStore.require("soon", fixture.database.connect())
        #expect(started.status == .running)
        #expect(started.startedAt.map { abs($0.timeIntervalSince(fixture.clock.now())) < 0.001 } == true)
        #expect(started.planHash == started.plan.sha256)
        let audit = try AuditLog.entries(fixture.database.connect(), entityType: "hypothesis", entityKey: "soon")
        #expect(audit.map(\.actor) == ["scheduler"])
        #expect(audit.first?.action == "start")
        #expect(try await ticker.tick().isEmpty, "a move happens once")

        let after = try await fixture.scheduler().assign(AssignmentRequest(dealID: "D-2", dealerID: "d", stage: "first-visit"), actor: "t")
        #expect(after.assignments.map(\.hypothesisKey) == ["soon"])
        await fixture.shutdown()
    }

    @Test("running → ready when resolved deals reach the target and min_days have passed")
    func ready() async throws {
        let fixture = try SchedulerFixture()
        try fixture.addHypothesis("target", targetDeals: 4, minDays: 10, maxDays: 30)
        let scheduler = fixture.scheduler()
        for index in 0..<6 {
            _ = try await scheduler.assign(AssignmentRequest(dealID: "D-\(index)", dealerID: "d", stage: "first-visit"), actor: "t")
        }
        let connection = try fixture.database.connect()
        func close(_ deal: String, _ type: String) throws {
            try connection.execute(
                """
                INSERT INTO events (deal_id, idempotency_key, type, occurred_at, payload_hash, enrolled)
                VALUES ($1::text, $1::text || $2::text, $2::text, now(), 'x', true)
                """, [deal, type])
        }
        try close("D-0", "closed_won")
        try close("D-1", "closed_lost")
        try close("D-2", "closed_won")
        try close("D-2", "addon_purchased")
        // A close received before the deal's assignment does not count (OutcomeRule), here as in the report.
        try connection.execute(
            """
            INSERT INTO events (deal_id, idempotency_key, type, occurred_at, received_at, payload_hash, enrolled)
            VALUES ('D-4', 'early-close', 'closed_won', now(), now() - interval '1 hour', 'x', true)
            """)
        let ticker = LifecycleTicker(pool: fixture.pool, clock: fixture.clock)
        fixture.clock.advance(days: 11)
        #expect(try await ticker.tick().isEmpty, "3 of 4 resolved deals (D-4's close came before its assignment)")
        try close("D-3", "closed_lost")
        fixture.clock.set(SchedulerFixture.start.addingTimeInterval(5 * 86_400))
        #expect(try await ticker.tick().isEmpty, "target reached but min_days not passed")
        fixture.clock.set(SchedulerFixture.start.addingTimeInterval(10 * 86_400))
        let moves = try await ticker.tick()
        #expect(moves.map(\.to) == [.ready])
        #expect(try Self.status(fixture, "target") == .ready)
        #expect(try AuditLog.entries(connection, entityKey: "target").map(\.action) == ["ready"])
        // Ready hypotheses enroll no one.
        let late = try await scheduler.assign(AssignmentRequest(dealID: "D-late", dealerID: "d", stage: "first-visit"), actor: "t")
        #expect(late.assignments.isEmpty)
        await fixture.shutdown()
    }

    @Test("running → expired at max_days when the target is not reached")
    func expires() async throws {
        let fixture = try SchedulerFixture()
        try fixture.addHypothesis("slow", targetDeals: 100, minDays: 10, maxDays: 30)
        let ticker = LifecycleTicker(pool: fixture.pool, clock: fixture.clock)
        fixture.clock.advance(days: 29.9)
        #expect(try await ticker.tick().isEmpty)
        fixture.clock.advance(days: 0.2)
        #expect(try await ticker.tick().map(\.to) == [.expired])
        let expired = try HypothesisStore.require("slow", fixture.database.connect())
        #expect(expired.status == .expired && expired.endedAt != nil)
        await fixture.shutdown()
    }

    @Test("several tickers at once make each move exactly once")
    func concurrentTickers() async throws {
        let fixture = try SchedulerFixture(poolSize: 8)
        for index in 0..<10 {
            try fixture.addHypothesis("h\(index)", status: .scheduled, startAt: SchedulerFixture.start)
        }
        let moves = try await withThrowingTaskGroup(of: [LifecycleTicker.Move].self) { group in
            for _ in 0..<6 {
                group.addTask {
                    // Separate pools: as if separate processes.
                    let pool = fixture.database.pool(size: 2)
                    let moves = try await LifecycleTicker(pool: pool, clock: fixture.clock).tick()
                    await pool.shutdown()
                    return moves
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(moves.count == 10)
        #expect(Set(moves.map(\.hypothesisKey)).count == 10)
        #expect(try fixture.count("SELECT count(*) FROM audit_log WHERE actor = 'scheduler'") == 10)
        #expect(try fixture.count("SELECT count(*) FROM hypotheses WHERE status = 'running'") == 10)
        await fixture.shutdown()
    }
}
