import Foundation

/// One event as a dealer system sends it (`POST /v1/events`, one CSV row).
public struct EventInput: Sendable, Equatable {
    public var eventID: String?
    public var dealID: String
    public var type: String
    public var stage: String?
    /// Money value; stored as numeric(16,2).
    public var value: Decimal?
    /// ISO 8601 text as sent; nil means "now".
    public var occurredAt: String?

    public init(
        eventID: String? = nil, dealID: String, type: String, stage: String? = nil, value: Decimal? = nil,
        occurredAt: String? = nil
    ) {
        self.eventID = eventID
        self.dealID = dealID
        self.type = type
        self.stage = stage
        self.value = value
        self.occurredAt = occurredAt
    }
}

/// What an ingest stored.
public struct EventIngestResult: Sendable, Codable, Equatable {
    /// Events stored now.
    public var accepted: Int
    /// Events already stored under the same idempotency key with the same payload (not stored again).
    public var duplicates: Int
    /// Of the accepted, events on deals enrolled in no hypothesis (stored with `enrolled = false`).
    public var unenrolled: Int

    public init(accepted: Int, duplicates: Int, unenrolled: Int) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.unenrolled = unenrolled
    }
}

/// An event after validation: what goes into the `events` table.
public struct ValidatedEvent: Sendable, Equatable {
    public var eventID: String?
    public var dealID: String
    public var type: String
    public var stage: String?
    /// Rounded to cents, as text for the numeric column.
    public var value: String?
    public var occurredAt: Date
    public var idempotencyKey: String
    public var payloadHash: String
}
