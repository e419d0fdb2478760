import Foundation
import Hummingbird
import JourneyLab

/// `POST /v1/events`: 1–1,000 events per request, all-or-nothing, idempotent.
struct EventController {
    let ingestor: EventIngestor
    let metrics: ServerMetrics

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post(use: ingest)
        return routes
    }

    struct Batch: Decodable {
        var events: [Event]
        init(from decoder: any Decoder) throws {
            events = try decoder.strictObject(allowing: ["events"]).decode([Event].self, "events")
        }
    }

    struct Event: Decodable {
        var input: EventInput
        init(from decoder: any Decoder) throws {
            let object = try decoder.strictObject(allowing: ["event_id", "deal_id", "type", "stage", "value", "occurred_at"])
            input = EventInput(
                eventID: try object.decodeIfPresent(String.self, "event_id"),
                dealID: try object.decode(String.self, "deal_id"),
                type: try object.decode(String.self, "type"),
                stage: try object.decodeIfPresent(String.self, "stage"),
                value: try object.decodeIfPresent(Decimal.self, "value"),
                occurredAt: try object.decodeIfPresent(String.self, "occurred_at"))
        }
    }

    struct Result: Encodable {
        var accepted: Int
        var duplicates: Int
        var unenrolled: Int
    }

    @Sendable func ingest(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard principal.canWrite else { throw Problem.forbidden("an analyst key cannot send events") }
        let batch = try await StrictJSON.decode(Batch.self, from: request, context: context)
        let result = try await ingestor.ingest(batch.events.map(\.input), principal: principal)
        metrics.recordEvents(accepted: result.accepted, duplicates: result.duplicates, unenrolled: result.unenrolled)
        return try JSONResponse.make(Result(accepted: result.accepted, duplicates: result.duplicates, unenrolled: result.unenrolled))
    }
}
