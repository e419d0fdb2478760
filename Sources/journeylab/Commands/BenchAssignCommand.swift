import ArgumentParser
import Foundation
import JourneyLab
import Postgres
import Synchronization

/// `journeylab bench-assign` (hidden): enrollments and repeat lookups per second through `Scheduler.assign`,
/// for `scripts/bench/assign.sh`, which runs pgbench against the same database for comparison.
struct BenchAssignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-assign",
        abstract: "Benchmark Scheduler.assign: new-deal enrollments and repeat lookups per second.",
        shouldDisplay: false
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "New deals to enroll.") var deals = 20_000
    @Option(help: "Repeat lookups of enrolled deals.") var lookups = 40_000
    @Option(help: "Concurrent tasks calling assign.") var concurrency = 32
    @Option(help: "Strata (dealers) of the block hypothesis.") var strata = 50
    @Option(help: "Database connections in the pool.") var poolSize = 4
    @Option(help: "Scheduler batches in flight at once.") var batches = 2
    @Option(help: "Scheduler lanes (by dealer).") var lanes = 2

    func run() async throws {
        let (deals, lookups, concurrency, strata, batches, lanes) = (self.deals, self.lookups, self.concurrency, self.strata, self.batches, self.lanes)
        let report = try await withPool(database, size: poolSize) { pool -> Report in
            let run = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let key = "bench-\(run)"
            try await pool.withConnection { try Self.setUp(key, $0) }
            let scheduler = Scheduler(pool: pool, options: .init(maxConcurrentBatches: batches, lanes: lanes))
            @Sendable func request(_ index: Int) -> AssignmentRequest {
                AssignmentRequest(dealID: "\(run)-\(index)", dealerID: "dealer-\(index % strata)", stage: "bench-stage")
            }
            // Warm-up: connections open, plan and sequences cached.
            _ = try await Self.drive(count: 500, concurrency: concurrency) { _ = try await scheduler.assign(request(deals + $0), actor: "bench") }
            let enroll = try await Self.drive(count: deals, concurrency: concurrency) {
                _ = try await scheduler.assign(request($0), actor: "bench")
            }
            let lookup = try await Self.drive(count: lookups, concurrency: concurrency) {
                let result = try await scheduler.assign(request(($0 &* 7919) % deals), actor: "bench")
                guard result.assignments.count == 1 else { throw JourneyLabError(.internalFailure, "lookup lost its assignment") }
            }
            let gaps = try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT count(*) FROM (SELECT stratum, count(*) AS n, min(slot) AS lo, max(slot) AS hi FROM assignments
                     WHERE hypothesis_key = $1 GROUP BY stratum) s WHERE lo <> 0 OR hi <> n - 1
                    """, [key]
                ).scalar(Int.self)
            }
            return Report(
                hypothesis: key, deals: deals, lookups: lookups, concurrency: concurrency, strata: strata,
                enrollmentsPerSecond: Double(deals) / enroll, lookupsPerSecond: Double(lookups) / lookup,
                stratumWithGaps: gaps)
        }
        try Output.json(report)
    }

    struct Report: Encodable, Sendable {
        var hypothesis: String
        var deals: Int
        var lookups: Int
        var concurrency: Int
        var strata: Int
        var enrollmentsPerSecond: Double
        var lookupsPerSecond: Double
        var stratumWithGaps: Int

        enum CodingKeys: String, CodingKey {
            case hypothesis, deals, lookups, concurrency, strata, enrollmentsPerSecond = "enrollments_per_s"
            case lookupsPerSecond = "lookups_per_s", stratumWithGaps = "strata_with_gaps"
        }
    }

    /// Runs `body(0..<count)` from `concurrency` tasks; returns the elapsed seconds.
    static func drive(count: Int, concurrency: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        let next = IndexCounter()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while true {
                        let index = next.take()
                        guard index < count else { return }
                        try await body(index)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// A running 1:1 block hypothesis stratified by dealer at stage `bench-stage`; older bench hypotheses stop.
    static func setUp(_ key: String, _ connection: PGConnection) throws {
        try connection.execute(
            "INSERT INTO segments (key, name) VALUES ('bench-segment', 'Bench segment') ON CONFLICT DO NOTHING")
        try connection.execute(
            "INSERT INTO journeys (key, segment_key, name) VALUES ('bench-journey', 'bench-segment', 'Bench') ON CONFLICT DO NOTHING")
        try connection.execute(
            """
            INSERT INTO stages (journey_key, key, position, name) SELECT 'bench-journey', 'bench-stage', 0, 'Bench stage'
             WHERE NOT EXISTS (SELECT 1 FROM stages WHERE journey_key = 'bench-journey' AND key = 'bench-stage')
            """)
        try connection.execute("UPDATE hypotheses SET status = 'stopped' WHERE journey_key = 'bench-journey' AND status = 'running'")
        let plan = Hypothesis.Plan(
            metric: "closed_won",
            arms: [.init(name: "control", weight: 1, isControl: true), .init(name: "treatment", weight: 1, isControl: false)],
            seed: Int64.random(in: Int64.min...Int64.max))
        // Arms go in while the plan is a draft; then it starts (plan hash, started_at) as `hypothesis start` does.
        try HypothesisStore.insert(
            Hypothesis(key: key, journeyKey: "bench-journey", stageKey: "bench-stage", title: "Bench", plan: plan), connection)
        try connection.execute(
            "UPDATE hypotheses SET status = 'running', plan_hash = $2, started_at = now() WHERE key = $1", [key, plan.sha256])
    }
}

/// Hands out 0, 1, 2, … to concurrent workers.
private final class IndexCounter: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}
