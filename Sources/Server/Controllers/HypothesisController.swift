import Foundation
import Hummingbird
import JourneyLab
import Postgres

/// `GET /v1/hypotheses`, `GET /v1/hypotheses/{id}` and `GET /v1/hypotheses/{id}/report`.
struct HypothesisController {
    let pool: PGPool
    let reports: (any ReportProvider)?

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get(use: list)
        routes.get("{id}", use: show)
        routes.get("{id}/report", use: report)
        return routes
    }

    /// A hypothesis as the API shows it.
    struct Resource: Encodable {
        struct Arm: Encodable {
            var name: String
            var weight: Int
            var control: Bool
        }
        var id: String
        var title: String
        var status: String
        var outcome: String?
        var journey: String
        var stage: String
        var barrier: String?
        var recommendation: String?
        var metric: String
        var arms: [Arm]
        var targetDeals: Int
        var alpha: Double
        var power: Double
        var minDays: Int
        var maxDays: Int
        var randomization: String
        var stratify: String
        var planHash: String?
        var startedAt: Date?
        var endedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, title, status, outcome, journey, stage, barrier, recommendation, metric, arms
            case targetDeals = "target_deals", alpha, power, minDays = "min_days", maxDays = "max_days", randomization
            case stratify, planHash = "plan_hash", startedAt = "started_at", endedAt = "ended_at"
        }

        init(_ hypothesis: Hypothesis) {
            let plan = hypothesis.plan
            id = hypothesis.key
            title = hypothesis.title
            status = hypothesis.status.rawValue
            outcome = hypothesis.outcome?.rawValue
            journey = hypothesis.journeyKey
            stage = hypothesis.stageKey
            barrier = hypothesis.barrierKey
            recommendation = hypothesis.recommendationKey
            metric = plan.metric
            arms = plan.arms.map { Arm(name: $0.name, weight: $0.weight, control: $0.isControl) }
            targetDeals = plan.targetDeals
            alpha = plan.alpha
            power = plan.power
            minDays = plan.minDays
            maxDays = plan.maxDays
            randomization = plan.randomization.rawValue
            stratify = plan.stratify.rawValue
            planHash = hypothesis.planHash
            startedAt = hypothesis.startedAt
            endedAt = hypothesis.endedAt
        }
    }

    struct List: Encodable { var hypotheses: [Resource] }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try Self.requireReader(context)
        let hypotheses = try await pool.withConnection { try HypothesisStore.list($0) }
        return try JSONResponse.make(List(hypotheses: hypotheses.map(Resource.init)))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try Self.requireReader(context)
        let id = try context.hypothesisID()
        guard let hypothesis = try await pool.withConnection({ try HypothesisStore.load(id, $0) }) else {
            throw Problem(.notFound, "no hypothesis \"\(id)\": GET /v1/hypotheses lists them")
        }
        return try JSONResponse.make(Resource(hypothesis))
    }

    @Sendable func report(_ request: Request, context: AppRequestContext) async throws -> Response {
        try Self.requireReader(context)
        let id = try context.hypothesisID()
        guard let reports else { throw Problem(.notImplemented, "reports are not available in this build") }
        return JSONResponse.raw(try await reports.json(for: id), contentType: "application/json")
    }

    static func requireReader(_ context: AppRequestContext) throws {
        guard try context.requirePrincipal().canRead else {
            throw Problem.forbidden("a dealer key cannot read hypotheses or reports: use an analyst key")
        }
    }
}
