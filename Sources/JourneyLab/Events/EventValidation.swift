import Crypto
import Foundation
import Postgres

/// The rules every event follows, shared by the HTTP API and the CSV importer.
public enum EventValidation {
    public static let maxBatch = 1000
    public static let valueLimit = Decimal(string: "10000000000000")!  // |value| < 1e13

    /// Validates one event; `field` prefixes the field names in messages (`events[3]`, `line 12`).
    /// - Throws: `JourneyLabError.invalidInput` naming the field.
    public static func validate(_ event: EventInput, field: String, now: Date) throws -> ValidatedEvent {
        try checkIdentifier(event.dealID, field: "\(field).deal_id")
        if let eventID = event.eventID { try checkIdentifier(eventID, field: "\(field).event_id") }
        guard isMetricName(event.type) else {
            throw JourneyLabError.invalid(
                "\(field).type \"\(printable(event.type))\" must be stage_reached, closed_won, closed_lost or a metric name of 1 to 64 characters a-z 0-9 _ . -",
                field: "\(field).type")
        }
        if let stage = event.stage {
            guard isSlug(stage) else {
                throw JourneyLabError.invalid(
                    "\(field).stage \"\(printable(stage))\" must be a stage key (lowercase letters, digits and -)", field: "\(field).stage")
            }
        } else if event.type == "stage_reached" {
            throw JourneyLabError.invalid("\(field).stage is required for type stage_reached", field: "\(field).stage")
        }
        var valueText: String?
        if let value = event.value {
            var input = value
            var rounded = Decimal()
            NSDecimalRound(&rounded, &input, 2, .plain)
            // The limit holds for the value as stored (to the cent): 9999999999999.995 rounds to 1e13.
            guard value.isFinite, rounded.isFinite, abs(rounded) < valueLimit else {
                throw JourneyLabError.invalid("\(field).value must be a finite number with |value| < 1e13", field: "\(field).value")
            }
            valueText = canonicalText(rounded)
        }
        let occurredAt: Date
        if let text = event.occurredAt {
            guard let date = RFC3339.instant(text) else {
                throw JourneyLabError.invalid(
                    "\(field).occurred_at \"\(printable(text))\" must be an existing RFC 3339 time with a zone, e.g. 2025-03-01T10:15:00Z",
                    field: "\(field).occurred_at")
            }
            guard date >= earliest else {
                throw JourneyLabError.invalid("\(field).occurred_at must not be before 2000-01-01", field: "\(field).occurred_at")
            }
            guard date <= now.addingTimeInterval(86_400) else {
                throw JourneyLabError.invalid(
                    "\(field).occurred_at is more than 1 day in the future: check the sender's clock", field: "\(field).occurred_at")
            }
            occurredAt = date
        } else {
            occurredAt = now
        }
        let key = event.eventID.map { "id:" + $0 } ?? "auto:\(event.type):\(event.stage ?? "")"
        // The payload is what the sender said; a default `occurred_at` is not part of it, so a retry of an event
        // without a time is still a duplicate.
        let payload = [
            event.dealID, event.type, event.stage ?? "", valueText ?? "",
            event.occurredAt == nil ? "" : String(Int64((occurredAt.timeIntervalSince1970 * 1_000_000).rounded())),
        ].joined(separator: "\u{1F}")
        return ValidatedEvent(
            eventID: event.eventID, dealID: event.dealID, type: event.type, stage: event.stage, value: valueText,
            occurredAt: occurredAt, idempotencyKey: key, payloadHash: APIKeys.hex(Array(SHA256.hash(data: Data(payload.utf8)))))
    }

    static let earliest = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01T00:00:00Z

    static func checkIdentifier(_ text: String, field: String) throws {
        try ExternalID.check(text, field: field)
    }

    public static func isMetricName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 || $0 == 46 || $0 == 45 }
    }

    static func isSlug(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        let ok = bytes.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
        return ok && bytes.first != 45 && bytes.last != 45
    }

    static func canonicalText(_ value: Decimal) -> String {
        var text = NSDecimalNumber(decimal: value).stringValue
        if text == "-0" { text = "0" }
        return text
    }

    static func printable(_ text: String) -> String {
        let clipped = text.count > 70 ? String(text.prefix(70)) + "…" : text
        return String(String.UnicodeScalarView(clipped.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
    }
}
