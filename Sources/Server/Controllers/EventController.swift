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

    struct Batch: CapturedJSONDecodable {
        var events: [Event]
        init(from decoder: any Decoder) throws {
            events = try decoder.strictObject(allowing: ["events"]).decode([Event].self, "events")
        }

        init?(captured: JSONSyntax.Capture) {
            guard let records = captured.records, records.field == "events" else { return nil }
            var events: [Event] = []
            events.reserveCapacity(records.objects.count)
            for object in records.objects {
                guard let event = Event(record: object) else { return nil }
                events.append(event)
            }
            self.events = events
        }
    }

    struct Event: Decodable {
        var input: EventInput

        /// From a captured object: only the known fields, strings where strings belong and a number as the value.
        init?(record: [String: JSONSyntax.Capture.Scalar]) {
            var (eventID, dealID, type, stage, value, occurredAt): (String?, String?, String?, String?, Decimal?, String?)
            for (key, scalar) in record {
                switch (key, scalar) {
                case ("event_id", .string(let text)): eventID = text
                case ("deal_id", .string(let text)): dealID = text
                case ("type", .string(let text)): type = text
                case ("stage", .string(let text)): stage = text
                case ("occurred_at", .string(let text)): occurredAt = text
                case ("value", .number(let literal)):
                    // The value JSONDecoder gives for the same literal (JSONFastPathTests checks they agree).
                    guard let number = Decimal(string: literal, locale: Self.posix) else { return nil }
                    value = number
                default: return nil
                }
            }
            guard let dealID, let type else { return nil }
            input = EventInput(eventID: eventID, dealID: dealID, type: type, stage: stage, value: value, occurredAt: occurredAt)
        }

        private static let posix = Locale(identifier: "en_US_POSIX")

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
