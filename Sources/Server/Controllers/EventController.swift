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
            try decoder.rejectUnknownKeys(["events"])
            let container = try decoder.container(keyedBy: AnyCodingKey.self)
            events = try container.decode([Event].self, forKey: AnyCodingKey(stringValue: "events"))
        }
    }

    struct Event: Decodable {
        var input: EventInput
        enum CodingKeys: String, CodingKey {
            case eventID = "event_id", dealID = "deal_id", type, stage, value, occurredAt = "occurred_at"
        }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(["event_id", "deal_id", "type", "stage", "value", "occurred_at"])
            let container = try decoder.container(keyedBy: CodingKeys.self)
            input = EventInput(
                eventID: try container.decodeIfPresent(String.self, forKey: .eventID),
                dealID: try container.decode(String.self, forKey: .dealID),
                type: try container.decode(String.self, forKey: .type),
                stage: try container.decodeIfPresent(String.self, forKey: .stage),
                value: try container.decodeIfPresent(Decimal.self, forKey: .value),
                occurredAt: try container.decodeIfPresent(String.self, forKey: .occurredAt))
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
