import Foundation
import JourneyLab
import Postgres
import Testing
import TestSupport

/// Journey import, registration and lifecycle on a real PostgreSQL (a fresh database per test).
@Suite("Registry on PostgreSQL")
struct RegistryIntegrationTests {
    static let journey = "car-brand-x-family-men-30"

    struct Fixture {
        let database: TestDatabase
        let connection: PGConnection
        let clock: ManualJourneyClock
        let registry: HypothesisRegistry
        var importer: JourneyImporter { JourneyImporter(registry: registry) }

        init() throws {
            database = try TestDatabase.create()
            connection = try database.connect()
            clock = ManualJourneyClock(Date(timeIntervalSince1970: 1_750_000_000))
            registry = HypothesisRegistry(clock: clock, actor: "cli:tester")
        }

        func count(_ sql: String, _ parameters: [any PGEncodable] = []) throws -> Int {
            try connection.query(sql, parameters).scalar(Int.self)
        }

        func auditCount(_ key: String, action: String? = nil) throws -> Int {
            try count(
                "SELECT count(*) FROM audit_log WHERE entity_key = $1 AND ($2::text IS NULL OR action = $2)", [key, action])
        }

        @discardableResult
        func importExample() throws -> JourneyImporter.Report {
            try importer.importFile(try CJMParser.parse(contentsOf: RepositoryFiles.example), connection)
        }

        func registration(key: String = "questions-card") -> HypothesisRegistration {
            var registration = HypothesisRegistration(
                key: key, journey: RegistryIntegrationTests.journey, stage: "first-visit", barrier: "test-drive-pushed-first",
                recommendation: "answer-questions-first", title: "Questions first books more test drives",
                description: "Checklist card in the CRM", metric: "test_drive_booked")
            registration.seed = 11
            return registration
        }
    }

    @Test func importsTheExample() throws {
        let fixture = try Fixture()
        let report = try fixture.importExample()
        #expect(report.hasChanges)
        #expect(try fixture.count("SELECT count(*) FROM stages WHERE journey_key = $1", [Self.journey]) == 13)
        #expect(try fixture.count("SELECT count(*) FROM barriers WHERE journey_key = $1", [Self.journey]) == 9)
        #expect(try fixture.count("SELECT count(*) FROM recommendations WHERE journey_key = $1", [Self.journey]) == 18)
        #expect(
            try fixture.count("SELECT count(*) FROM hypotheses WHERE journey_key = $1 AND status = 'draft'", [Self.journey]) == 5)
        #expect(try fixture.count("SELECT count(*) FROM arms WHERE hypothesis_key = 'accessories-email-chain'") == 2)
        #expect(report.counts["stage"] == ["added": 13])
        #expect(report.counts["hypothesis"] == ["added": 5])
        // Funnel order is kept.
        let order = try fixture.connection.query(
            "SELECT key FROM stages WHERE journey_key = $1 ORDER BY position", [Self.journey]
        )
        .rows { try $0.decode(String.self, 0) }
        #expect(order.first == "choose-crossover" && order.last == "warranty-service")
        // One journey audit row plus one per registered hypothesis, all by the importing actor.
        #expect(try fixture.auditCount(Self.journey, action: "journey.import") == 1)
        #expect(
            try fixture.count("SELECT count(*) FROM audit_log WHERE action = 'hypothesis.register' AND actor = 'cli:tester'") == 5
        )
        let tree = try JourneyStore.tree(Self.journey, fixture.connection)
        let firstVisit = try #require(tree.stages.first { $0.key == "first-visit" })
        let pushy = try #require(firstVisit.barriers.first { $0.key == "pushy-add-on-selling" })
        #expect(pushy.recommendations.first?.hypotheses.map(\.key) == ["accessories-email-chain"])
        #expect(try JourneyStore.list(fixture.connection).map(\.stages) == [13])
    }

    @Test func reimportIsIdempotentAndReportsOneEdit() throws {
        let fixture = try Fixture()
        try fixture.importExample()
        let auditRows = try fixture.count("SELECT count(*) FROM audit_log")
        let seed = try fixture.count("SELECT seed FROM hypotheses WHERE key = 'accessories-email-chain'")

        let second = try fixture.importExample()
        #expect(!second.hasChanges)
        #expect(second.entries.allSatisfy { $0.change == .unchanged })
        #expect(try fixture.count("SELECT count(*) FROM audit_log") == auditRows)
        #expect(try fixture.count("SELECT seed FROM hypotheses WHERE key = 'accessories-email-chain'") == seed)

        var edited = try CJMParser.parse(contentsOf: RepositoryFiles.example)
        edited.stages[2].barriers[0].text = "No final price anywhere online"
        let third = try fixture.importer.importFile(edited, fixture.connection)
        let changed = third.entries.filter { $0.change != .unchanged }
        #expect(changed == [.init(entity: "barrier", key: "no-final-price", change: .updated, note: nil)])
        #expect(try fixture.count("SELECT count(*) FROM audit_log") == auditRows + 1)
    }

    @Test func reimportUpdatesADraftButNeverAStartedPlan() throws {
        let fixture = try Fixture()
        try fixture.importExample()
        try fixture.registry.move("accessories-email-chain", .start, fixture.connection)
        var edited = try CJMParser.parse(contentsOf: RepositoryFiles.example)
        for index in edited.hypotheses.indices { edited.hypotheses[index].registration.targetDeals = 300 }
        let report = try fixture.importer.importFile(edited, fixture.connection)
        let byKey = Dictionary(uniqueKeysWithValues: report.entries.filter { $0.entity == "hypothesis" }.map { ($0.key, $0) })
        #expect(byKey["accessories-email-chain"]?.change == .frozen)
        #expect(byKey["accessories-email-chain"]?.note?.contains("plan frozen, not changed") == true)
        #expect(byKey["final-price-offer"]?.change == .updated)
        #expect(byKey["final-price-offer"]?.note == "target_deals")
        #expect(try fixture.count("SELECT target_deals FROM hypotheses WHERE key = 'accessories-email-chain'") == 150)
        #expect(try fixture.count("SELECT target_deals FROM hypotheses WHERE key = 'final-price-offer'") == 300)
    }

    @Test func failedImportStoresNothing() throws {
        let fixture = try Fixture()
        var file = try CJMParser.parse(contentsOf: RepositoryFiles.example)
        // Valid for the parser, refused by the database: another journey already owns the hypothesis key.
        try fixture.importExample()
        file.journey = "car-brand-x-copy"
        let before = try fixture.count("SELECT count(*) FROM audit_log")
        let error = try #require(throws: JourneyLabError.self) { try fixture.importer.importFile(file, fixture.connection) }
        #expect(error.kind == .conflict)
        #expect(error.message.contains("belongs to journey car-brand-x-family-men-30"))
        #expect(try fixture.count("SELECT count(*) FROM journeys WHERE key = 'car-brand-x-copy'") == 0)
        #expect(try fixture.count("SELECT count(*) FROM stages WHERE journey_key = 'car-brand-x-copy'") == 0)
        #expect(try fixture.count("SELECT count(*) FROM audit_log") == before)
    }

    @Test func movingABarrierToAnotherStageIsRefused() throws {
        let fixture = try Fixture()
        try fixture.importExample()
        var file = try CJMParser.parse(contentsOf: RepositoryFiles.example)
        let moved = file.stages[2].barriers.removeFirst()
        file.stages[1].barriers.append(moved)
        file.hypotheses.removeAll { $0.registration.barrier == moved.key }
        let error = try #require(throws: JourneyLabError.self) { try fixture.importer.importFile(file, fixture.connection) }
        #expect(error.message.contains("barrier \"no-final-price\" belongs to stage choose-dealer"))
    }

    @Test func registerStartPauseResumeStopRoundTrip() throws {
        let fixture = try Fixture()
        try fixture.importExample()
        let registered = try fixture.registry.register(fixture.registration(), fixture.connection)
        #expect(registered.hypothesis.status == .draft)
        #expect(registered.description == "Checklist card in the CRM")
        #expect(registered.detectableLift.map { abs($0 - 0.2075) < 0.001 } == true)  // default plan: 150 deals on 20%
        let key = registered.hypothesis.key

        let started = try fixture.registry.move(key, .start, fixture.connection)
        #expect(started.status == .running)
        #expect(started.planHash == started.plan.sha256)
        #expect(started.startedAt == fixture.clock.now())
        fixture.clock.advance(days: 3)
        #expect(try fixture.registry.move(key, .pause, fixture.connection).status == .paused)
        #expect(try fixture.registry.move(key, .resume, fixture.connection).status == .running)
        let stopped = try fixture.registry.move(key, .stop, fixture.connection)
        #expect(stopped.status == .stopped)
        #expect(stopped.endedAt == fixture.clock.now())
        #expect(stopped.planHash == started.planHash)

        let actions = try AuditLog.entries(fixture.connection, entityType: "hypothesis", entityKey: key).map(\.action)
        #expect(
            actions == ["hypothesis.register", "hypothesis.start", "hypothesis.pause", "hypothesis.resume", "hypothesis.stop"])
        let details = try fixture.registry.details(key, fixture.connection)
        #expect(details.progress.daysElapsed == 3)
        #expect(details.allowedMoves == [.conclude], "a stopped test can only have its outcome recorded")
    }

    @Test func scheduledReadyConcludeAndExpire() throws {
        let fixture = try Fixture()
        try fixture.importExample()
        var registration = fixture.registration()
        registration.startAt = fixture.clock.now().addingTimeInterval(10 * 86_400)
        registration.targetDeals = 4
        registration.minDays = 1
        registration.maxDays = 2
        let key = try fixture.registry.register(registration, fixture.connection).hypothesis.key
        let scheduled = try fixture.registry.move(key, .start, fixture.connection)
        #expect(scheduled.status == .scheduled && scheduled.planHash != nil && scheduled.startedAt == nil)
        #expect(throws: JourneyLabError.self) { try fixture.registry.move(key, .activate, fixture.connection) }
        fixture.clock.advance(days: 10)
        #expect(try fixture.registry.move(key, .activate, fixture.connection).status == .running)

        // Not ready before the target and min-days; ready after both.
        #expect(throws: JourneyLabError.self) { try fixture.registry.move(key, .ready, fixture.connection) }
        for deal in 1...4 {
            try fixture.connection.execute("INSERT INTO deals (deal_id, dealer_id) VALUES ($1, 'd1')", ["deal-\(deal)"])
            try fixture.connection.execute(
                "INSERT INTO assignments (deal_id, hypothesis_key, arm, stratum) VALUES ($1, $2, $3, 'd1')",
                ["deal-\(deal)", key, deal % 2 == 0 ? "control" : "treatment"])
            try fixture.connection.execute(
                """
                INSERT INTO events (deal_id, idempotency_key, type, occurred_at, payload_hash, enrolled)
                VALUES ($1, 'close', $2, now(), 'x', true)
                """, ["deal-\(deal)", deal == 1 ? "closed_won" : "closed_lost"])
        }
        try fixture.connection.execute("INSERT INTO deals (deal_id, dealer_id) VALUES ('open-deal', 'd1')")
        try fixture.connection.execute(
            "INSERT INTO assignments (deal_id, hypothesis_key, arm, stratum) VALUES ('open-deal', $1, 'control', 'd1')", [key])
        let progress = try fixture.registry.details(key, fixture.connection).progress
        #expect(progress.enrolled == 5 && progress.resolved == 4)
        #expect(
            progress.arms.map(\.resolved) == [2, 2] && progress.arms.map(\.enrolled) == [3, 2]
                && progress.arms.map(\.target) == [2, 2])
        #expect(throws: JourneyLabError.self) { try fixture.registry.move(key, .ready, fixture.connection) }  // day 0 < min 1
        fixture.clock.advance(days: 1)
        #expect(try fixture.registry.move(key, .ready, fixture.connection).status == .ready)
        let missing = try #require(throws: JourneyLabError.self) { try fixture.registry.move(key, .conclude, fixture.connection) }
        #expect(missing.kind == .invalidInput)
        let concluded = try fixture.registry.move(key, .conclude, outcome: .adopted, fixture.connection)
        #expect(concluded.status == .concluded && concluded.outcome == .adopted)

        let other = try fixture.registry.register(fixture.registration(key: "expiring"), fixture.connection).hypothesis.key
        try fixture.connection.execute("UPDATE hypotheses SET max_days = 2, min_days = 1 WHERE key = $1", [other])
        try fixture.registry.move(other, .start, fixture.connection)
        #expect(throws: JourneyLabError.self) { try fixture.registry.move(other, .expire, fixture.connection) }
        fixture.clock.advance(days: 2)
        #expect(try fixture.registry.move(other, .expire, fixture.connection).status == .expired)
    }

    @Test func planEditsAreRefusedAfterStart() throws {
        let fixture = try Fixture()
        try fixture.importExample()
        let key = try fixture.registry.register(fixture.registration(), fixture.connection).hypothesis.key
        // Before start an edit is allowed and audited.
        let edited = try fixture.registry.updatePlan(key, fixture.connection) { $0.targetDeals = 200 }
        #expect(edited.plan.targetDeals == 200)
        #expect(try fixture.auditCount(key, action: "hypothesis.update") == 1)

        let started = try fixture.registry.move(key, .start, fixture.connection)
        let error = try #require(throws: JourneyLabError.self) {
            try fixture.registry.updatePlan(key, fixture.connection) { $0.targetDeals = 100 }
        }
        #expect(error.kind == .illegalState)
        #expect(error.message.contains("frozen"))
        #expect(try fixture.auditCount(key, action: "hypothesis.update") == 1)

        // The database refuses too, whatever the client.
        for sql in [
            "UPDATE hypotheses SET target_deals = 100 WHERE key = $1",
            "UPDATE hypotheses SET metric = 'closed_won' WHERE key = $1",
            "UPDATE arms SET weight = 2 WHERE hypothesis_key = $1",
            "DELETE FROM arms WHERE hypothesis_key = $1",
        ] {
            let refused = try #require(throws: PGError.self) { try fixture.connection.execute(sql, [key]) }
            #expect(refused.constraint == "frozen_plan", "\(sql)")
        }
        let reloaded = try HypothesisStore.require(key, fixture.connection)
        #expect(reloaded.plan == started.plan)
        #expect(reloaded.planHash == reloaded.plan.sha256)
    }

    @Test func auditRowExistsExactlyWhenTheChangeCommitted() throws {
        let fixture = try Fixture()
        try fixture.importExample()
        let key = try fixture.registry.register(fixture.registration(), fixture.connection).hypothesis.key
        #expect(try fixture.auditCount(key) == 1)

        // An illegal move changes nothing and leaves no row.
        #expect(throws: JourneyLabError.self) { try fixture.registry.move(key, .pause, fixture.connection) }
        #expect(try fixture.auditCount(key) == 1)
        #expect(try HypothesisStore.require(key, fixture.connection).status == .draft)

        // A duplicate registration fails and leaves no row.
        #expect(throws: JourneyLabError.self) { try fixture.registry.register(fixture.registration(), fixture.connection) }
        #expect(try fixture.auditCount(key, action: "hypothesis.register") == 1)

        // A move that succeeds inside a transaction that then rolls back leaves neither the move nor its row.
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try fixture.connection.withTransaction { connection in
                try fixture.registry.move(key, .start, connection)
                throw Abort()
            }
        }
        #expect(try fixture.auditCount(key) == 1)
        let reloaded = try HypothesisStore.require(key, fixture.connection)
        #expect(reloaded.status == .draft && reloaded.planHash == nil)

        // And when it commits, exactly one row with before and after.
        try fixture.registry.move(key, .start, fixture.connection)
        let rows = try AuditLog.entries(fixture.connection, entityType: "hypothesis", entityKey: key)
        #expect(rows.count == 2)
        func status(_ json: String?) throws -> String? {
            let object = try JSONSerialization.jsonObject(with: Data(try #require(json).utf8)) as? [String: Any]
            return object?["status"] as? String
        }
        #expect(try status(rows.last?.before) == "draft")
        #expect(try status(rows.last?.after) == "running")
        #expect(rows.last?.actor == "cli:tester")
        // The journey's trail: its import, the 5 imported registrations, this registration and its start.
        #expect(try AuditLog.entries(fixture.connection, journey: Self.journey).count == 8)
    }

    @Test func registerRefusesReferencesOutsideTheJourney() throws {
        let fixture = try Fixture()
        try fixture.importExample()
        var registration = fixture.registration()
        registration.barrier = "no-final-price"
        registration.recommendation = nil
        let problem = try #require(throws: HypothesisRegistration.Problem.self) {
            try fixture.registry.register(registration, fixture.connection)
        }
        #expect(problem.field == .barrier)
        var unknownJourney = fixture.registration()
        unknownJourney.journey = "no-such-journey"
        let error = try #require(throws: JourneyLabError.self) {
            try fixture.registry.register(unknownJourney, fixture.connection)
        }
        #expect(error.kind == .notFound)
        #expect(try fixture.count("SELECT count(*) FROM hypotheses WHERE key = 'questions-card'") == 0)
    }
}
