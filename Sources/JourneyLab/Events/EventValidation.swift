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
            guard let date = parseTimestamp(text) else {
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

    /// An RFC 3339 time with a zone: `2025-03-01T10:15:00Z`, `2025-03-01T13:15:00.250+03:00` (also `t`/`z`, and
    /// an offset without the colon). Strict: a date that does not exist (February 30), hour 24, minute or second 60,
    /// an offset beyond ±23:59, more than 9 fractional digits or anything around the time is nil, never rolled
    /// over to another instant.
    public static func parseTimestamp(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 20, b.count <= 40 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for byte in b[from..<(from + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), b[4] == 45, let month = number(5, 2), b[7] == 45, let day = number(8, 2),
            b[10] == 84 || b[10] == 116, let hour = number(11, 2), b[13] == 58, let minute = number(14, 2), b[16] == 58,
            let second = number(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour <= 23, minute <= 59,
            second <= 59
        else { return nil }
        var index = 19
        var nanoseconds = 0
        if b[index] == 46 {  // '.'
            index += 1
            let start = index
            while index < b.count, b[index] >= 48, b[index] <= 57 { index += 1 }
            let digits = index - start
            guard (1...9).contains(digits), let fraction = number(start, digits) else { return nil }
            nanoseconds = fraction * [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000][9 - digits]
        }
        guard index < b.count else { return nil }
        var offset = 0
        switch b[index] {
        case 90, 122:  // 'Z', 'z'
            index += 1
        case 43, 45:  // '+', '-'
            let sign = b[index] == 45 ? -1 : 1
            guard let hours = number(index + 1, 2) else { return nil }
            // RFC 3339 writes the offset as ±HH:MM; ISO 8601's ±HHMM and ±HH are not accepted.
            guard index + 3 < b.count, b[index + 3] == 58, let minutes = number(index + 4, 2), hours <= 23, minutes <= 59
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
            index += 6
        default:
            return nil
        }
        guard index == b.count else { return nil }
        let seconds = Int(PGTimestamp.days(fromCivil: Int64(year), Int64(month), Int64(day))) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
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
