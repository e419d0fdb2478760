import Foundation
import JourneyLab
import Postgres
import Stats
import Testing
import TestSupport

/// The report's numbers come from SQL aggregates over the stored deals and equal the Stats module's on
/// the same counts — with unresolved deals, events on unenrolled deals and repeated events in the data.
@Suite("Evaluator over PostgreSQL")
struct EvaluatorTests {
    static let plan = Hypothesis.Plan(
        metric: "addon_purchased",
        arms: [.init(name: "control", weight: 1, isControl: true), .init(name: "treatment", weight: 1, isControl: false)],
        targetDeals: 30, alpha: 0.05, power: 0.8, baselineRate: 0.2, mde: 0.15, minDays: 0, maxDays: 180, seed: 7)

    /// Seeds a journey, a running hypothesis and deals with known outcomes.
    /// Per arm: (enrolled, resolved, converted among resolved, converted but unresolved).
    static func seed(
        _ connection: PGConnection, key: String = "accessories-email-chain", plan: Hypothesis.Plan = plan,
        arms: [(String, Int, Int, Int, Int)], singleStratum: Bool = false
    ) throws {
        try connection.execute("INSERT INTO segments (key, name) VALUES ('family-men-30', 'Family men 30+') ON CONFLICT DO NOTHING")
        try connection.execute(
            "INSERT INTO journeys (key, segment_key, name) VALUES ('car-brand-x', 'family-men-30', 'Car brand X') ON CONFLICT DO NOTHING")
        try connection.execute(
            "INSERT INTO stages (journey_key, key, position, name) VALUES ('car-brand-x', 'first-visit', 0, 'First visit') ON CONFLICT (journey_key, key) DO NOTHING")
        let started = Date(timeIntervalSince1970: 1_780_000_000)
        try HypothesisStore.insert(
            Hypothesis(
                key: key, journeyKey: "car-brand-x", stageKey: "first-visit", title: "Accessories email chain",
                status: .running, plan: plan, planHash: plan.sha256, startedAt: started), connection)
        var dealNumber = 0
        for (arm, enrolled, resolved, converted, convertedUnresolved) in arms {
            for index in 0..<enrolled {
                dealNumber += 1
                let deal = "\(key)-deal-\(dealNumber)"
                let dealer = "dealer-\(dealNumber % 3)"
                try connection.execute("INSERT INTO deals (deal_id, dealer_id) VALUES ($1, $2)", [deal, dealer])
                try connection.execute(
                    "INSERT INTO assignments (deal_id, hypothesis_key, arm, stratum, slot) VALUES ($1, $2, $3, $4, $5::int4)",
                    [deal, key, arm, singleStratum ? "all" : dealer, dealNumber])
                let day = started.addingTimeInterval(Double(index) * 86_400 * 3)
                func event(_ type: String, _ suffix: String, value: Double? = nil) throws {
                    try connection.execute(
                        """
                        INSERT INTO events (deal_id, idempotency_key, type, value, occurred_at, payload_hash, enrolled)
                        VALUES ($1, $2, $3, $4::numeric, $5::timestamptz, 'x', true)
                        """, [deal, suffix, type, value, day])
                }
                if index < resolved {
                    try event(index % 2 == 0 ? "closed_won" : "closed_lost", "close")
                    if index < converted {
                        try event("addon_purchased", "addon-1", value: 25_000)
                        try event("addon_purchased", "addon-2", value: 5_000)  // a second purchase: still one conversion
                    }
                } else if index - resolved < convertedUnresolved {
                    try event("addon_purchased", "addon-open")  // not resolved: does not count yet
                }
            }
        }
        // Events on a deal enrolled in no hypothesis are stored but never counted.
        try connection.execute("INSERT INTO deals (deal_id, dealer_id) VALUES ('stray', 'dealer-9') ON CONFLICT DO NOTHING")
        try connection.execute(
            """
            INSERT INTO events (deal_id, idempotency_key, type, occurred_at, payload_hash, enrolled)
            VALUES ('stray', 'a', 'closed_won', now(), 'x', false), ('stray', 'b', 'addon_purchased', now(), 'x', false)
            ON CONFLICT DO NOTHING
            """)
    }

    @Test func reportEqualsStatsOnTheSameCounts() async throws {
        let database = try TestDatabase.create()
        try Self.seed(try database.connect(), arms: [("control", 20, 15, 3, 2), ("treatment", 22, 18, 9, 1)])
        let pool = database.pool()
        let report = try await Evaluator(pool: pool).report(for: "accessories-email-chain")
        await pool.shutdown()

        let counts = [
            ArmCounts(name: "control", enrolled: 20, deals: 15, conversions: 3),
            ArmCounts(name: "treatment", enrolled: 22, deals: 18, conversions: 9),
        ]
        let expected = try ProportionAnalysis.analyze(
            counts,
            plan: AnalysisPlan(
                alpha: 0.05, power: 0.8, mde: 0.15, weights: [1, 1], targetDeals: 30, isComplete: true, baselineRate: 0.2,
                metric: "addon_purchased"))
        #expect(report.analysis.arms == expected.arms)
        #expect(report.analysis.comparisons == expected.comparisons)
        #expect(report.analysis.srm == expected.srm)
        #expect(report.analysis.decision == expected.decision)
        #expect(report.progress.resolved == 33)
        #expect(report.progress.isComplete, "33 of 30 resolved")
        #expect(report.progress.enrolled == 42)
        #expect(report.integrityError == nil)
        // Revenue sums both purchases of each converted, resolved deal.
        let revenue = try #require(report.revenue.first { $0.arm == "treatment" })
        #expect(abs(revenue.total - 270_000.0) < 1e-6, "treatment revenue \(revenue.total)")
        // Dealer slices add up to the totals.
        let dealerEnrolled = report.dealers.flatMap(\.arms).reduce(0) { $0 + $1.enrolled }
        #expect(dealerEnrolled == 42)
        #expect(report.dealers.map(\.dealer) == ["dealer-0", "dealer-1", "dealer-2"])
        // The timeline ends at the totals.
        #expect(report.timeline.last?.arms.map(\.deals) == [15, 18])
        #expect(report.timeline.last?.arms.map(\.conversions) == [3, 9])
        #expect(report.stratified != nil)
    }

    @Test func beforeTheTargetTheDecisionIsContinue() async throws {
        let database = try TestDatabase.create()
        try Self.seed(try database.connect(), arms: [("control", 10, 5, 1, 0), ("treatment", 10, 6, 4, 0)])
        let pool = database.pool()
        let report = try await Evaluator(pool: pool).report(for: "accessories-email-chain")
        await pool.shutdown()
        #expect(report.analysis.decision == .continue)
        #expect(!report.progress.isComplete)
        #expect(report.progress.dealsStillNeeded == 19)
        #expect(report.analysis.reasons.contains { $0.contains("19 more") })
        // Said once: the analysis's own progress reason, not a second one from the evaluator.
        #expect(report.analysis.reasons.filter { $0.contains("11 of the") }.count == 1, "\(report.analysis.reasons)")
    }

    /// An outcome the CRM reported before it asked for the deal's arm cannot be the arm's effect: a deal
    /// closed before its enrollment stays unresolved, and an add-on bought before it is no conversion.
    @Test func outcomesReportedBeforeTheAssignmentDoNotCount() async throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try Self.seed(connection, arms: [("control", 10, 10, 2, 0), ("treatment", 10, 10, 5, 0)])
        func event(_ deal: String, _ type: String, receivedEarlier: Bool) throws {
            try connection.execute(
                """
                INSERT INTO events (deal_id, idempotency_key, type, occurred_at, received_at, payload_hash, enrolled)
                VALUES ($1, $2, $3, now(), now() - CASE WHEN $4 THEN interval '1 hour' ELSE interval '0' END, 'x', false)
                """, [deal, type, type, receivedEarlier])
        }
        for deal in ["closed-first", "bought-first"] {
            try connection.execute("INSERT INTO deals (deal_id, dealer_id) VALUES ($1, 'dealer-1')", [deal])
        }
        try event("closed-first", "closed_won", receivedEarlier: true)
        try event("closed-first", "addon_purchased", receivedEarlier: true)
        try event("bought-first", "addon_purchased", receivedEarlier: true)
        for (slot, deal) in ["closed-first", "bought-first"].enumerated() {
            try connection.execute(
                """
                INSERT INTO assignments (deal_id, hypothesis_key, arm, stratum, slot)
                VALUES ($1, 'accessories-email-chain', 'treatment', 'late', $2::int4)
                """, [deal, slot])
        }
        try event("bought-first", "closed_won", receivedEarlier: false)

        let pool = database.pool()
        let report = try await Evaluator(pool: pool).report(for: "accessories-email-chain")
        await pool.shutdown()
        let treatment = try #require(report.analysis.arms.first { $0.name == "treatment" })
        #expect(treatment.enrolled == 12)
        #expect(treatment.deals == 11, "the deal closed before its enrollment is not resolved for this test")
        #expect(treatment.conversions == 5, "neither add-on bought before the enrollment is a conversion")
        // `hypothesis show` and the ticker's ready move count the same resolved deals as the report.
        let hypothesis = try HypothesisStore.require("accessories-email-chain", connection)
        #expect(try HypothesisProgress.load(for: hypothesis, now: Date(), connection).resolved == 21)
    }

    /// The status changes what the numbers mean: a paused test keeps collecting only once resumed, and a
    /// stopped or expired one collects nothing more, so it gets a final decision on the deals at hand.
    @Test(arguments: [Hypothesis.Status.draft, .paused, .stopped, .expired, .concluded])
    func theStatusIsTheFirstReason(_ status: Hypothesis.Status) async throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try Self.seed(connection, arms: [("control", 10, 5, 1, 0), ("treatment", 10, 6, 4, 0)])
        try connection.execute(
            "UPDATE hypotheses SET status = $1, outcome = CASE WHEN $1 = 'concluded' THEN 'rejected' END WHERE key = 'accessories-email-chain'",
            [status.rawValue])
        let pool = database.pool()
        let report = try await Evaluator(pool: pool).report(for: "accessories-email-chain")
        await pool.shutdown()
        let first = try #require(report.analysis.reasons.first)
        switch status {
        case .draft:
            #expect(first.contains("not started") && first.contains("journeylab hypothesis start accessories-email-chain"))
            #expect(report.analysis.decision == .continue)
        case .paused:
            #expect(first.contains("paused") && first.contains("journeylab hypothesis resume accessories-email-chain"))
            #expect(report.analysis.decision == .continue)
        default:
            #expect(first.contains("\(status.rawValue)") && first.contains("11 of the 30 planned deals"), "\(first)")
            #expect(report.analysis.decision != .continue, "no more deals will come: \(report.analysis.reasons)")
            #expect(report.progress.isComplete)
            #expect(!report.analysis.reasons.contains { $0.contains("more needed") })
        }
    }

    @Test func imbalanceBeyondTheOpenBlockIsAnIntegrityError() async throws {
        let database = try TestDatabase.create()
        // 30 vs 5 in one block-randomized hypothesis cannot come from the sequence.
        try Self.seed(
            try database.connect(), arms: [("control", 30, 20, 4, 0), ("treatment", 5, 4, 1, 0)], singleStratum: true)
        let pool = database.pool()
        let report = try await Evaluator(pool: pool).report(for: "accessories-email-chain")
        await pool.shutdown()
        let error = try #require(report.integrityError)
        #expect(error.contains("open block"))
        #expect(report.analysis.reasons.first?.contains("integrity") == true)
    }

    @Test func severalHypothesesGetBenjaminiHochberg() async throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try Self.seed(connection, key: "first", arms: [("control", 20, 20, 2, 0), ("treatment", 20, 20, 12, 0)])
        try Self.seed(connection, key: "second", arms: [("control", 20, 20, 5, 0), ("treatment", 20, 20, 6, 0)])
        let pool = database.pool()
        let reports = try await Evaluator(pool: pool).reports(for: ["first", "second"])
        await pool.shutdown()
        let primary = reports.map { $0.analysis.comparisons.map(\.pAdjusted).min()! }
        #expect(reports.map(\.pAdjustedAcrossReport) == MultipleTesting.benjaminiHochberg(primary).map { Optional($0) })
    }

    @Test func hypothesesWithoutAPValueStayOutOfBenjaminiHochberg() async throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try Self.seed(connection, key: "first", arms: [("control", 20, 20, 2, 0), ("treatment", 20, 20, 12, 0)])
        try Self.seed(connection, key: "empty", arms: [("control", 0, 0, 0, 0), ("treatment", 0, 0, 0, 0)])
        try Self.seed(connection, key: "second", arms: [("control", 20, 20, 5, 0), ("treatment", 20, 20, 6, 0)])
        let pool = database.pool()
        let reports = try await Evaluator(pool: pool).reports(for: ["first", "empty", "second"])
        await pool.shutdown()
        #expect(reports[1].analysis.comparisons.allSatisfy { $0.pAdjusted.isNaN })
        #expect(reports[1].pAdjustedAcrossReport == nil)
        // The family is the two tested hypotheses: m = 2, not 3.
        let tested = [reports[0], reports[2]].map { $0.analysis.comparisons.map(\.pAdjusted).min()! }
        #expect([reports[0].pAdjustedAcrossReport, reports[2].pAdjustedAcrossReport]
            == MultipleTesting.benjaminiHochberg(tested).map { Optional($0) })
    }

    @Test func unknownHypothesisIsNotFound() async throws {
        let pool = try TestDatabase.create().pool()
        do {
            _ = try await Evaluator(pool: pool).report(for: "no-such-thing")
            Issue.record("an unknown key must be refused")
        } catch let error as JourneyLabError {
            #expect(error.kind == .notFound)
        }
        await pool.shutdown()
    }
}
