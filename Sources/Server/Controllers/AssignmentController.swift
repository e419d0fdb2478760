import Foundation
import Hummingbird
import JourneyLab
import Postgres

/// `POST /v1/assignments`: which arm(s) a deal is in.
struct AssignmentController {
    let scheduler: Scheduler
    let pool: PGPool
    let metrics: ServerMetrics
    let stages: StageDirectory

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post(use: assign)
        return routes
    }

    /// The request body, decoded strictly.
    struct Body: CapturedJSONDecodable {
        var dealID: String
        var dealerID: String
        var stage: String
        var segment: String?
        var attributes: [String: String]?

        init(from decoder: any Decoder) throws {
            let object = try decoder.strictObject(allowing: ["deal_id", "dealer_id", "stage", "segment", "attributes"])
            dealID = try object.decode(String.self, "deal_id")
            dealerID = try object.decode(String.self, "dealer_id")
            stage = try object.decode(String.self, "stage")
            segment = try object.decodeIfPresent(String.self, "segment")
            attributes = try object.decodeIfPresent([String: String].self, "attributes")
        }

        init?(captured: JSONSyntax.Capture) {
            guard let object = captured.flatObject,
                let dealID = object["deal_id"], let dealerID = object["dealer_id"], let stage = object["stage"],
                object.count == 3 + (object["segment"] == nil ? 0 : 1)  // nothing else: unknown fields go to the decoder
            else { return nil }
            (self.dealID, self.dealerID, self.stage, segment, attributes) = (dealID, dealerID, stage, object["segment"], nil)
        }
    }

    @Sendable func assign(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard principal.canWrite else { throw Problem.forbidden("an analyst key cannot create assignments") }
        let body = try await StrictJSON.decode(Body.self, from: request, context: context)
        try Self.validate(body)
        guard principal.mayWrite(forDealer: body.dealerID) else {
            throw Problem.forbidden("this key belongs to another dealer than \"\(body.dealerID)\"")
        }
        if principal.role == .dealer {
            let dealID = body.dealID
            // A single statement: on the pool's event loop, no thread held while it waits.
            let owner = try await pool.query(
                "SELECT dealer_id::text FROM deals WHERE deal_id = $1", [dealID], planning: .reusable
            ) { try $0.decode(String.self, 0) }.first
            if let owner, owner != principal.dealerID {
                throw Problem.forbidden("deal \"\(body.dealID)\" belongs to another dealer")
            }
        }
        var result = try await scheduler.assign(
            AssignmentRequest(dealID: body.dealID, dealerID: body.dealerID, stage: body.stage, segment: body.segment,
                              attributes: body.attributes),
            actor: principal.actor)
        for assignment in result.assignments {
            metrics.recordEnrollment(hypothesis: assignment.hypothesisKey, arm: assignment.arm)
        }
        // In no hypothesis: say so when the stage is in no journey (a typo the CRM would otherwise never see).
        // Only a hint: a failed lookup leaves the answer as it is.
        if result.assignments.isEmpty, (try? await stages.isKnown(body.stage)) == false {
            result.warnings = [AssignmentResult.unknownStageWarning(body.stage)]
        }
        return JSONText.response(result)
    }

    /// What must hold before the ownership check reads the database; the scheduler validates the rest
    /// (`AssignmentRequest.validate`).
    static func validate(_ body: Body) throws {
        try ExternalID.check(body.dealID, field: "deal_id")
        try ExternalID.check(body.dealerID, field: "dealer_id")
        let stageBytes = Array(body.stage.utf8)
        guard (1...64).contains(stageBytes.count),
            stageBytes.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 45 })
        else {
            throw JourneyLabError.invalid("stage \"\(body.stage.prefix(64))\" must be a stage key (a-z, 0-9, -)", field: "stage")
        }
        if let attributes = body.attributes, attributes.count > 64 {
            throw JourneyLabError.invalid("attributes may hold at most 64 entries", field: "attributes")
        }
    }
}
