import Foundation
import Postgres

/// Stores batches of dealer events: all-or-nothing per batch, idempotent per event.
///
/// Each event has an idempotency key: `id:<event_id>`, or without one `auto:<type>:<stage>` (per deal). A
/// repeat with the same key and payload is a duplicate (counted, not stored again); the same key with another
/// payload is a conflict and the whole batch is refused, as is a second close of a deal under another key (a deal
/// closes once: its first `closed_won` or `closed_lost` stands). The batch runs in one transaction: one lookup of its
/// deals and one set-based insert of all its events (arrays + `unnest`), in key order so concurrent batches
/// cannot deadlock.
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
    ///   idempotency key was stored with another payload, or when a close (`closed_won`/`closed_lost`) would
    ///   close a deal a second time; `PGError` when the database is unreachable.
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
        // A batch that closes deals also reads the closes already stored for them (a deal closes once).
        let closes = events.contains { OutcomeRule.isClosing($0.type) }
        var storedCloses: [String: StoredClose] = [:]
        try connection.query(
            closes
                ? """
                SELECT d.deal_id, d.dealer_id, EXISTS (SELECT 1 FROM assignments a WHERE a.deal_id = d.deal_id),
                       c.idempotency_key, c.type, c.event_id
                  FROM deals d
                  LEFT JOIN LATERAL (SELECT e.idempotency_key, e.type, e.event_id FROM events e
                                      WHERE e.deal_id = d.deal_id AND e.type IN \(OutcomeRule.closingTypes)
                                      LIMIT 1) c ON true
                 WHERE d.deal_id = ANY($1::text[])
                """
                : """
                SELECT d.deal_id, d.dealer_id, EXISTS (SELECT 1 FROM assignments a WHERE a.deal_id = d.deal_id)
                  FROM deals d WHERE d.deal_id = ANY($1::text[])
                """,
            [PGArrayLiteral(dealIDs)], planning: .reusable
        ).rows { row in
            let dealID = try row.decode(String.self, 0)
            deals[dealID] = (try row.decode(String.self, 1), try row.decode(Bool.self, 2))
            if closes, let key = try row.decodeIfPresent(String.self, 3) {
                storedCloses[dealID] = StoredClose(
                    idempotencyKey: key, type: try row.decode(String.self, 4), eventID: try row.decodeIfPresent(String.self, 5))
            }
        }.forEach { _ in }
        for (index, event) in events.enumerated() {
            guard let deal = deals[event.dealID] else {
                throw JourneyLabError.invalid(
                    "events[\(index)].deal_id \"\(event.dealID)\" is not a known deal: ask POST /v1/assignments for it first",
                    field: "events[\(index)].deal_id")
            }
            guard principal.mayWrite(forDealer: deal.dealer) else {
                throw JourneyLabError(
                    .forbidden, "events[\(index)]: deal \"\(event.dealID)\" belongs to another dealer",
                    field: "events[\(index)].deal_id")
            }
        }
        if closes { try refuseSecondCloses(events, stored: storedCloses) }
        // One set-based statement for the whole batch: the events travel as arrays and are inserted in
        // (deal_id, idempotency_key) order, so two batches touching the same keys lock them in the same order
        // (no deadlocks); within a batch the first of two events with one key wins, the second is checked below.
        let enrolled = events.map { deals[$0.dealID]!.enrolled ? "t" : "f" }
        var inserted = Set<String>()
        do {
            try connection.query(
                """
                INSERT INTO events (deal_id, idempotency_key, event_id, type, stage, value, occurred_at, payload_hash, enrolled, source)
                SELECT deal_id, idempotency_key, event_id, type, stage, value, occurred_at, payload_hash, enrolled, $10
                  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::timestamptz[],
                              $8::text[], $9::bool[]) WITH ORDINALITY
                       AS e(deal_id, idempotency_key, event_id, type, stage, value, occurred_at, payload_hash, enrolled, position)
                 ORDER BY deal_id, idempotency_key, position
                ON CONFLICT (deal_id, idempotency_key) DO NOTHING
                RETURNING deal_id, idempotency_key
                """,
                [PGArrayLiteral(events.map(\.dealID)), PGArrayLiteral(events.map(\.idempotencyKey)),
                 PGArrayLiteral(events.map(\.eventID)), PGArrayLiteral(events.map(\.type)), PGArrayLiteral(events.map(\.stage)),
                 PGArrayLiteral(events.map(\.value)), PGArrayLiteral(events.map { PGTimestamp.format($0.occurredAt) }),
                 PGArrayLiteral(events.map(\.payloadHash)), PGArrayLiteral(enrolled), source],
                planning: .reusable
            ).rows { row in
                inserted.insert(try row.decode(String.self, 0) + "\u{1F}" + (try row.decode(String.self, 1)))
            }.forEach { _ in }
        } catch let error as PGError where error.constraint == OutcomeRule.oneClosePerDeal {
            // Another request closed one of these deals between our check and this insert.
            throw JourneyLabError(
                .conflict,
                "a deal of this batch was closed by another request at the same moment; a deal closes once — send the batch again to see which",
                field: "events")
        }
        var accepted = 0
        var unenrolled = 0
        var notInserted: [Int] = []
        for (index, event) in events.enumerated() {
            // `remove`: a second event with the same key in this batch was not the one inserted.
            if inserted.remove(event.dealID + "\u{1F}" + event.idempotencyKey) != nil {
                accepted += 1
                if deals[event.dealID]?.enrolled == false { unenrolled += 1 }
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
                [PGArrayLiteral(notInserted.map { events[$0].dealID }), PGArrayLiteral(notInserted.map { events[$0].idempotencyKey })]
            ).rows { row in
                stored[try row.decode(String.self, 0) + "\u{1F}" + (try row.decode(String.self, 1))] = try row.decode(String.self, 2)
            }.forEach { _ in }
            for index in notInserted.sorted() {
                let event = events[index]
                guard stored[event.dealID + "\u{1F}" + event.idempotencyKey] == event.payloadHash else {
                    let key = event.eventID.map { "event_id \"\($0)\"" } ?? "(deal_id, type, stage)"
                    // The same key may have come earlier in this very batch (nothing of which is stored).
                    let earlier = events[..<index].firstIndex {
                        $0.dealID == event.dealID && $0.idempotencyKey == event.idempotencyKey
                    }
                    let other = earlier.map { "events[\($0)] of this batch" } ?? "a stored event"
                    throw JourneyLabError(
                        .conflict,
                        "events[\(index)] conflicts with \(other): the same \(key) but a different payload — use a new event_id",
                        field: event.eventID != nil ? "events[\(index)].event_id" : "events[\(index)]")
                }
            }
        }
        return EventIngestResult(accepted: accepted, duplicates: notInserted.count, unenrolled: unenrolled)
    }

    /// A close already stored for a deal.
    struct StoredClose {
        var idempotencyKey: String
        var type: String
        var eventID: String?
    }

    /// Refuses a close of a deal that is already closed — stored, or by an earlier event of this batch — under
    /// another idempotency key: its first close stands (the same key is a duplicate or a payload conflict,
    /// which the insert sorts out).
    static func refuseSecondCloses(_ events: [ValidatedEvent], stored: [String: StoredClose]) throws {
        var firstInBatch: [String: Int] = [:]
        for (index, event) in events.enumerated() where OutcomeRule.isClosing(event.type) {
            let earlier: String?
            if let close = stored[event.dealID], close.idempotencyKey != event.idempotencyKey {
                earlier = "a stored \(close.type) event" + (close.eventID.map { " (event_id \"\($0)\")" } ?? "")
            } else if let first = firstInBatch[event.dealID], events[first].idempotencyKey != event.idempotencyKey {
                earlier = "events[\(first)] of this batch (\(events[first].type))"
            } else {
                earlier = nil
            }
            if let earlier {
                throw JourneyLabError(
                    .conflict,
                    "events[\(index)] would close deal \"\(event.dealID)\" a second time: \(earlier) already closes it, and a deal closes once — its first close stands",
                    field: "events[\(index)].type")
            }
            if firstInBatch[event.dealID] == nil { firstInBatch[event.dealID] = index }
        }
    }
}
