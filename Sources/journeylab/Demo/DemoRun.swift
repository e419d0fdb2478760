import AsyncHTTPClient
import Foundation
import JourneyLab
import Logging
import NIOCore
import Postgres
import Server
import Synchronization

/// One run of the demo: set-up through the library, traffic through the real HTTP API.
struct DemoRun: Sendable {
    let configuration: PGConfiguration
    let journeyFile: URL
    let seed: UInt64
    let dealCount: Int
    let progress: DemoProgress

    static let periodDays = 150.0
    static let journeyKey = "car-brand-x-family-men-30"

    /// What happened, for the printout, the JSON summary and the end-to-end test.
    struct Summary: Sendable {
        var reports: [HypothesisReport]
        var deals: Int
        var assignmentRequests: Int
        var eventRequests: Int
        var eventsSent: Int
        var eventsAcknowledged: Int
        var duplicatesReported: Int
        var retries: Int
        var tickerMoves: [String]

        var trafficLine: String {
            "Traffic: \(deals) deals, \(assignmentRequests) assignment and \(eventRequests) event requests; \(eventsAcknowledged) events acknowledged, \(duplicatesReported) repeats recognised as duplicates, \(retries) retries."
        }

        struct JSON: Encodable {
            var database: String
            var html_report: String
            var seconds: Double
            var deals: Int
            var assignment_requests: Int
            var event_requests: Int
            var events_sent: Int
            var events_acknowledged: Int
            var duplicates_reported: Int
            var retries: Int
            var ticker_moves: [String]
            var decisions: [String: String]
            var reports: [HypothesisReport]
        }

        func json(database: String, htmlPath: String, seconds: Duration) -> JSON {
            JSON(
                database: database, html_report: htmlPath,
                seconds: Double(seconds.components.seconds) + Double(seconds.components.attoseconds) / 1e18, deals: deals,
                assignment_requests: assignmentRequests, event_requests: eventRequests, events_sent: eventsSent,
                events_acknowledged: eventsAcknowledged, duplicates_reported: duplicatesReported, retries: retries,
                ticker_moves: tickerMoves,
                decisions: Dictionary(uniqueKeysWithValues: reports.map { ($0.hypothesis.id, $0.analysis.decision.rawValue) }),
                reports: reports)
        }
    }

    func execute() async throws -> Summary {
        let now = Date()
        let periodStart = now.addingTimeInterval(-Self.periodDays * 86_400)
        let pool = PGPool(configuration: configuration, options: .init(size: 4))
        do {
            let summary = try await execute(pool: pool, now: now, periodStart: periodStart)
            await pool.shutdown()
            return summary
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    private func execute(pool: PGPool, now: Date, periodStart: Date) async throws -> Summary {
        let migrator = try SchemaMigrations.migrator()
        _ = try await pool.withConnection { try migrator.migrate($0) }

        // 1. The marketer: import the journey and start its hypotheses five simulated months ago.
        progress.step("importing \(journeyFile.lastPathComponent) and starting its hypotheses")
        let file = try CJMParser.parse(contentsOf: journeyFile)
        let seed = self.seed
        let keys = try await pool.withConnection { connection -> [String] in
            let registry = HypothesisRegistry(clock: ManualJourneyClock(periodStart), actor: "demo")
            _ = try JourneyImporter(registry: registry).importFile(file, connection)
            let keys = try HypothesisStore.list(connection, journey: Self.journeyKey).map(\.key)
            for key in keys {
                // Seeds from the demo's seed, so a run replays exactly.
                var random = DemoRandom(seed: seed, stream: "plan:" + key)
                let planSeed = Int64(bitPattern: random.next() >> 1)
                try registry.updatePlan(key, connection) { plan in plan.seed = planSeed }
                try registry.move(key, .start, connection)
            }
            return keys
        }

        // 2. The operator: a server on a free port, and a key per dealer.
        progress.step("starting the HTTP server and creating a key for each of \(DealerNetworkSimulation.dealers.count) dealers")
        let secrets = try await pool.withConnection { connection in
            try Dictionary(
                uniqueKeysWithValues: DealerNetworkSimulation.dealers.map { dealer in
                    (dealer, try APIKeys.create(role: .dealer, dealerID: dealer, name: "demo \(dealer)", actor: "demo", connection).secret)
                })
        }
        var serverConfiguration = ServerConfiguration(
            host: "127.0.0.1", port: 0, database: configuration, poolSize: 8, logLevel: .critical)
        serverConfiguration.migrateOnStart = false
        let portBox = Mutex<CheckedContinuation<Int, Never>?>(nil)
        let app = try await buildApplication(serverConfiguration) { port in
            portBox.withLock { $0?.resume(returning: port); $0 = nil }
        }
        let serverTask = Task { try await app.run() }
        let port = await withCheckedContinuation { continuation in portBox.withLock { $0 = continuation } }

        // 3. The dealer network: every dealer's CRM talks to the API on its own, side by side.
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let simulation = DealerNetworkSimulation(seed: seed, dealCount: dealCount, periodDays: Self.periodDays)
        let dealsByDealer = simulation.deals()
        progress.start("dealers at work", total: dealsByDealer.values.reduce(0) { $0 + $1.count })
        let api = DemoAPIClient(client: client, baseURL: "http://127.0.0.1:\(port)")
        let tallies: [DemoDealer.Tally]
        do {
            tallies = try await withThrowingTaskGroup(of: DemoDealer.Tally.self) { group in
                for (dealer, deals) in dealsByDealer {
                    let worker = DemoDealer(
                        dealer: dealer, secret: secrets[dealer]!, deals: deals, simulation: simulation, api: api,
                        periodStart: periodStart, now: now, progress: progress)
                    group.addTask { try await worker.run() }
                }
                var all: [DemoDealer.Tally] = []
                for try await tally in group { all.append(tally) }
                return all
            }
        } catch {
            try? await client.shutdown()
            serverTask.cancel()
            throw error
        }
        try? await client.shutdown()
        serverTask.cancel()
        _ = try? await serverTask.value

        // 4. The scheduler's lifecycle ticker, then the analyst's reports.
        progress.step("running the lifecycle ticker and evaluating")
        var quiet = Logger(label: "journeylab.demo")
        quiet.logLevel = .warning
        let moves = try await LifecycleTicker(pool: pool, clock: SystemJourneyClock(), logger: quiet).tick(now: now)
        let reports = try await Evaluator(pool: pool).reports(for: keys)
        let total = tallies.reduce(into: DemoDealer.Tally()) { $0.add($1) }
        return Summary(
            reports: reports, deals: total.deals, assignmentRequests: total.assignmentRequests,
            eventRequests: total.eventRequests, eventsSent: total.eventsSent, eventsAcknowledged: total.eventsAcknowledged,
            duplicatesReported: total.duplicatesReported, retries: total.retries,
            tickerMoves: moves.map { "\($0.hypothesisKey): \($0.from.rawValue) → \($0.to.rawValue)" })
    }
}
