import Foundation
import Postgres

/// Stores batches of dealer events: all-or-nothing per batch, idempotent per event.
///
/// Each event has an idempotency key: `id:<event_id>`, or without one `auto:<type>:<stage>` (per deal). A
/// repeat with the same key and payload is a duplicate (counted, not stored again); the same key with another
/// payload is a conflict and the whole batch is refused. The batch runs in one transaction and sends its
/// inserts in pipeline mode (one round trip), sorted by key so concurrent batches cannot deadlock.
///
/// ```swift
/// let result = try await EventIngestor(pool: pool).ingest(events, principal: principal)
/// ```
public struct EventIngestor: Sendable {
    public let pool: PGPool
    public let clock: any JourneyClock
    /// `events.source`: `api` or `csv`.
    public let source: String

    public init(pool: PGPool, clock: any JourneyClock = SystemJourneyClock(), source: String = "api") {
        self.pool = pool
        self.clock = clock
        self.source = source
    }

    /// Validates and stores a batch.
    /// - Throws: `JourneyLabError.invalidInput` naming `events[i].field` (also for an unknown deal);
    ///   `.forbidden` when a dealer key sends an event for another dealer's deal; `.conflict` when an
    ///   idempotency key was stored with another payload; `PGError` when the database is unreachable.
    public func ingest(_ events: [EventInput], principal: Principal) async throws -> EventIngestResult {
        guard !events.isEmpty, events.count <= EventValidation.maxBatch else {
            throw JourneyLabError.invalid(
                "events must hold 1 to \(EventValidation.maxBatch) events (got \(events.count)); split larger batches",
                field: "events")
        }
        guard principal.canWrite else {
            throw JourneyLabError(.forbidden, "an \(principal.role.rawValue) key cannot send events")
        }
        let now = clock.now()
        var validated: [ValidatedEvent] = []
        validated.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            validated.append(try EventValidation.validate(event, field: "events[\(index)]", now: now))
        }
        let source = self.source
        let batch = validated
        return try await pool.withTransaction { connection in
            try Self.store(batch, principal: principal, source: source, connection)
        }
    }

    /// Stores validated events on the caller's connection, inside the caller's transaction.
    static func store(
        _ events: [ValidatedEvent], principal: Principal, source: String, _ connection: PGConnection
    ) throws -> EventIngestResult {
        let dealIDs = Array(Set(events.map(\.dealID)))
        var deals: [String: (dealer: String, enrolled: Bool)] = [:]
        try connection.query(
            """
            SELECT d.deal_id, d.dealer_id, EXISTS (SELECT 1 FROM assignments a WHERE a.deal_id = d.deal_id)
              FROM deals d WHERE d.deal_id = ANY($1::text[])
            """, [PGTextArray(dealIDs)]
        ).rows { row in
            deals[try row.decode(String.self, 0)] = (try row.decode(String.self, 1), try row.decode(Bool.self, 2))
        }.forEach { _ in }
        for (index, event) in events.enumerated() {
            guard let deal = deals[event.dealID] else {
                throw JourneyLabError.invalid(
                    "events[\(index)].deal_id \"\(event.dealID)\" is not a known deal: ask POST /v1/assignments for it first",
                    field: "events[\(index)].deal_id")
            }
            guard principal.mayWrite(forDealer: deal.dealer) else {
                throw JourneyLabError(.forbidden, "events[\(index)]: deal \"\(event.dealID)\" belongs to another dealer")
            }
        }
        // Sorted so that two batches touching the same keys lock them in the same order (no deadlocks).
        let order = events.indices.sorted {
            (events[$0].dealID, events[$0].idempotencyKey, $0) < (events[$1].dealID, events[$1].idempotencyKey, $1)
        }
        let statements = order.map { index -> PGStatement in
            let event = events[index]
            return PGStatement(
                """
                INSERT INTO events (deal_id, idempotency_key, event_id, type, stage, value, occurred_at, payload_hash, enrolled, source)
                VALUES ($1, $2, $3, $4, $5, $6::numeric, $7::timestamptz, $8, $9::bool, $10)
                ON CONFLICT (deal_id, idempotency_key) DO NOTHING
                """,
                [event.dealID, event.idempotencyKey, event.eventID, event.type, event.stage, event.value,
                 event.occurredAt, event.payloadHash, deals[event.dealID]!.enrolled, source])
        }
        let affected = try connection.pipeline(statements)
        var accepted = 0
        var unenrolled = 0
        var notInserted: [Int] = []
        for (position, index) in order.enumerated() {
            if affected[position] == 1 {
                accepted += 1
                if deals[events[index].dealID]?.enrolled == false { unenrolled += 1 }
            } else {
                notInserted.append(index)
            }
        }
        if !notInserted.isEmpty {
            var stored: [String: String] = [:]
            try connection.query(
                """
                SELECT e.deal_id, e.idempotency_key, e.payload_hash
                  FROM events e JOIN unnest($1::text[], $2::text[]) AS k(deal_id, idempotency_key)
                    ON e.deal_id = k.deal_id AND e.idempotency_key = k.idempotency_key
                """,
                [PGTextArray(notInserted.map { events[$0].dealID }), PGTextArray(notInserted.map { events[$0].idempotencyKey })]
            ).rows { row in
                stored[try row.decode(String.self, 0) + "\u{1F}" + (try row.decode(String.self, 1))] = try row.decode(String.self, 2)
            }.forEach { _ in }
            for index in notInserted.sorted() {
                let event = events[index]
                guard stored[event.dealID + "\u{1F}" + event.idempotencyKey] == event.payloadHash else {
                    let key = event.eventID.map { "event_id \"\($0)\"" } ?? "(deal_id, type, stage)"
                    throw JourneyLabError(
                        .conflict,
                        "events[\(index)] conflicts with a stored event with the same \(key) but a different payload: use a new event_id")
                }
            }
        }
        return EventIngestResult(accepted: accepted, duplicates: notInserted.count, unenrolled: unenrolled)
    }
}

/// A PostgreSQL text[] literal (`{"a","b"}`), sent as one parameter.
public struct PGTextArray: PGEncodable {
    public var values: [String]
    public init(_ values: [String]) { self.values = values }
    public var pgText: String? {
        "{" + values.map { value in
            var quoted = "\""
            for character in value.unicodeScalars {
                if character == "\"" || character == "\\" { quoted.unicodeScalars.append("\\") }
                quoted.unicodeScalars.append(character)
            }
            return quoted + "\""
        }.joined(separator: ",") + "}"
    }
}
