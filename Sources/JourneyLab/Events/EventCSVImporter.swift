import Foundation
import Postgres

/// Bulk backfill of events from CSV (`journeylab events import FILE.csv`).
///
/// The header names the columns, in any order: `deal_id` and `type` are required; `stage`, `value`,
/// `occurred_at`, `event_id` and `dealer_id` are optional. Rows are validated in Swift (same rules as the API),
/// loaded with COPY into a temporary staging table, checked against `deals` and stored events in SQL, then
/// merged with one `INSERT … SELECT … ON CONFLICT DO NOTHING`, all in one transaction. By default a file with
/// bad rows stores nothing (the report lists them by line); with `skipBadRows` the good rows are stored.
public struct EventCSVImporter: Sendable {
    /// One refused row.
    public struct RejectedRow: Sendable, Codable, Equatable {
        public var line: Int
        public var reason: String
    }

    /// What the import did.
    public struct Report: Sendable, Codable, Equatable {
        /// Rows stored now.
        public var accepted: Int
        /// Rows already stored (same key, same payload).
        public var duplicates: Int
        /// Refused rows, by line number (the header is line 1).
        public var rejected: [RejectedRow]
        /// False when bad rows stopped the whole import (nothing stored).
        public var merged: Bool
    }

    public let pool: PGPool
    public let clock: any JourneyClock

    public init(pool: PGPool, clock: any JourneyClock = SystemJourneyClock()) {
        self.pool = pool
        self.clock = clock
    }

    /// Imports a file.
    /// - Parameters:
    ///   - skipBadRows: store the good rows even when some are bad.
    ///   - progress: called with the number of rows parsed so far (for a progress bar).
    /// - Throws: `JourneyLabError.invalidInput` for an unreadable file or a bad header; `PGError` for the database.
    public func importFile(
        _ url: URL, actor: String, skipBadRows: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> Report {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw JourneyLabError.invalid("no file \(url.path): check the path")
        }
        if isDirectory.boolValue { throw JourneyLabError.invalid("\(url.path) is a directory: name the CSV file in it") }
        let data: Data
        do {
            // Through a handle, so a pipe or /dev/stdin reads too.
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw JourneyLabError.invalid("cannot read \(url.path): check its permissions")
        }
        return try await importCSV(
            data, actor: actor, source: url.lastPathComponent, skipBadRows: skipBadRows, progress: progress)
    }

    /// Imports CSV text.
    /// - Parameter source: what the audit log names as the origin of the events (the file's name).
    public func importCSV(
        _ data: Data, actor: String, source: String = "csv", skipBadRows: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> Report {
        var bytes = Array(data)
        // Spreadsheets save "CSV UTF-8" with a byte-order mark, which would otherwise glue onto the first column's name.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let records = CSVRecords.parse(bytes)
        guard let header = records.first else { throw JourneyLabError.invalid("the CSV file is empty: it needs a header line") }
        guard header.isValidUTF8 else { throw JourneyLabError.invalid("the CSV header is not valid UTF-8: save the file as UTF-8") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let known: Set<String> = ["deal_id", "type", "stage", "value", "occurred_at", "event_id", "dealer_id"]
        if let unknown = names.first(where: { !known.contains($0) }) {
            throw JourneyLabError.invalid(
                "unknown CSV column \"\(unknown)\": the header may name deal_id, type, stage, value, occurred_at, event_id, dealer_id")
        }
        guard names.contains("deal_id"), names.contains("type") else {
            throw JourneyLabError.invalid("the CSV header needs at least deal_id and type (got \(names.joined(separator: ",")))")
        }
        if let repeated = names.enumerated().first(where: { names[..<$0.offset].contains($0.element) })?.element {
            throw JourneyLabError.invalid("the CSV header names the column \"\(repeated)\" twice: keep one of them")
        }
        let column = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })

        let now = clock.now()
        var rejected: [RejectedRow] = []
        var good: [(line: Int, dealer: String?, event: ValidatedEvent)] = []
        good.reserveCapacity(records.count)
        let total = records.count - 1
        for (number, record) in records.dropFirst().enumerated() {
            if number % 10_000 == 0 { progress?(number, total) }
            if record.fields.count == 1, record.fields[0].isEmpty { continue }  // blank line
            guard record.isValidUTF8 else {
                rejected.append(RejectedRow(line: record.line, reason: "not valid UTF-8: save the file as UTF-8"))
                continue
            }
            guard record.fields.count == names.count else {
                rejected.append(RejectedRow(line: record.line, reason: "expected \(names.count) fields, found \(record.fields.count)"))
                continue
            }
            func field(_ name: String) -> String? {
                guard let index = column[name] else { return nil }
                let value = record.fields[index]
                return value.isEmpty ? nil : value
            }
            do {
                var value: Decimal?
                if let text = field("value") {
                    guard let number = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")),
                        text.allSatisfy({ "0123456789.-+eE".contains($0) })
                    else {
                        throw JourneyLabError.invalid("value \"\(EventValidation.printable(text))\" is not a number")
                    }
                    value = number
                }
                let input = EventInput(
                    eventID: field("event_id"), dealID: field("deal_id") ?? "", type: field("type") ?? "",
                    stage: field("stage"), value: value, occurredAt: field("occurred_at"))
                let event = try EventValidation.validate(input, field: "row", now: now)
                good.append((record.line, field("dealer_id"), event))
            } catch let error as JourneyLabError {
                rejected.append(RejectedRow(line: record.line, reason: error.message.replacingOccurrences(of: "row.", with: "")))
            }
        }
        progress?(total, total)
        let parsedRejects = rejected
        let rows = good
        let outcome = try await pool.withTransaction { connection -> Report in
            try connection.simpleQuery(
                """
                CREATE TEMP TABLE event_staging (
                    line integer NOT NULL, deal_id text NOT NULL, dealer_id text, idempotency_key text NOT NULL,
                    event_id text, type text NOT NULL, stage text, value numeric, occurred_at timestamptz NOT NULL,
                    payload_hash text NOT NULL
                ) ON COMMIT DROP
                """)
            try connection.copyIn(
                "COPY event_staging (line, deal_id, dealer_id, idempotency_key, event_id, type, stage, value, occurred_at, payload_hash) FROM STDIN"
            ) { writer in
                for row in rows {
                    let event = row.event
                    try writer.row([
                        String(row.line), event.dealID, row.dealer, event.idempotencyKey, event.eventID, event.type,
                        event.stage, event.value, PGTimestamp.format(event.occurredAt), event.payloadHash,
                    ])
                }
            }
            try connection.simpleQuery("CREATE INDEX ON event_staging (deal_id, idempotency_key); ANALYZE event_staging")
            // Rows the database refuses: unknown deals, another dealer's deal, a key already used with another payload
            // (in the table or earlier in the file), or a second close of a deal.
            let databaseRejects = try connection.query(
                """
                WITH checked AS (
                    SELECT s.line, s.deal_id, s.idempotency_key, s.type,
                           CASE WHEN d.deal_id IS NULL THEN 'deal_id "' || s.deal_id || '" is not a known deal'
                                WHEN s.dealer_id IS NOT NULL AND s.dealer_id <> d.dealer_id
                                     THEN 'deal "' || s.deal_id || '" belongs to dealer "' || d.dealer_id || '", not "' || s.dealer_id || '"'
                                WHEN e.payload_hash IS NOT NULL AND e.payload_hash <> s.payload_hash
                                     THEN 'conflicts with a stored event with the same idempotency key but a different payload'
                                WHEN f.line IS NOT NULL
                                     THEN 'conflicts with line ' || f.line || ' (same idempotency key, different payload)' END AS reason
                      FROM event_staging s
                      LEFT JOIN deals d ON d.deal_id = s.deal_id
                      LEFT JOIN events e ON e.deal_id = s.deal_id AND e.idempotency_key = s.idempotency_key
                      LEFT JOIN LATERAL (SELECT min(f.line) AS line FROM event_staging f
                                          WHERE f.deal_id = s.deal_id AND f.idempotency_key = s.idempotency_key
                                            AND f.line < s.line AND f.payload_hash <> s.payload_hash) f ON true
                ),
                -- A deal closes once: among the closes not refused above, a close under another key than the deal's
                -- stored close, or than its first close in the file, is refused (a refused row closes nothing).
                closes AS (
                    SELECT k.line, k.deal_id, k.idempotency_key,
                           first_value(k.line) OVER deal AS first_line, first_value(k.idempotency_key) OVER deal AS first_key
                      FROM checked k
                     WHERE k.reason IS NULL AND k.type IN \(OutcomeRule.closingTypes)
                    WINDOW deal AS (PARTITION BY k.deal_id ORDER BY k.line)
                )
                SELECT line, reason FROM checked WHERE reason IS NOT NULL
                UNION ALL
                SELECT k.line,
                       'would close deal "' || k.deal_id || '" a second time: '
                       || CASE WHEN c.type IS NOT NULL
                               THEN 'a stored ' || c.type || ' event' || coalesce(' (event_id "' || c.event_id || '")', '')
                               ELSE 'line ' || k.first_line END
                       || ' already closes it, and a deal closes once'
                  FROM closes k
                  LEFT JOIN LATERAL (SELECT c.type, c.event_id FROM events c
                                      WHERE c.deal_id = k.deal_id AND c.type IN \(OutcomeRule.closingTypes)
                                        AND c.idempotency_key <> k.idempotency_key
                                      LIMIT 1) c ON true
                 WHERE c.type IS NOT NULL OR k.idempotency_key <> k.first_key
                 ORDER BY 1
                """
            ).rows { RejectedRow(line: try $0.decode(Int.self, 0), reason: try $0.decode(String.self, 1)) }
            let allRejects = (parsedRejects + databaseRejects).sorted { $0.line < $1.line }
            if !allRejects.isEmpty, !skipBadRows {
                return Report(accepted: 0, duplicates: 0, rejected: allRejects, merged: false)
            }
            let badLines = "{" + allRejects.map { String($0.line) }.joined(separator: ",") + "}"
            let accepted = try connection.execute(
                """
                INSERT INTO events (deal_id, idempotency_key, event_id, type, stage, value, occurred_at, payload_hash, enrolled, source)
                SELECT DISTINCT ON (s.deal_id, s.idempotency_key)
                       s.deal_id, s.idempotency_key, s.event_id, s.type, s.stage, s.value, s.occurred_at, s.payload_hash,
                       EXISTS (SELECT 1 FROM assignments a WHERE a.deal_id = s.deal_id), 'csv'
                  FROM event_staging s
                 WHERE NOT (s.line = ANY($1::int4[]))
                 ORDER BY s.deal_id, s.idempotency_key, s.line
                ON CONFLICT (deal_id, idempotency_key) DO NOTHING
                """, [badLines])
            let considered = rows.count - (allRejects.count - parsedRejects.count)
            let report = Report(accepted: accepted, duplicates: considered - accepted, rejected: allRejects, merged: true)
            // In the merge's transaction, as every audited change: the row exists exactly when the events do.
            // An import that stored nothing changed nothing, so it leaves no row.
            if accepted > 0 {
                struct Audited: Encodable { var file: String; var accepted: Int; var duplicates: Int; var rejected: Int }
                try AuditLog.record(
                    connection, actor: actor, action: "events.import", entityType: "deal", entityKey: "*",
                    after: Audited(file: source, accepted: accepted, duplicates: report.duplicates, rejected: allRejects.count))
            }
            return report
        }
        return outcome
    }
}

/// A minimal RFC 4180 reader: quoted fields with `""` escapes, LF or CRLF line ends.
enum CSVRecords {
    struct Record {
        /// The physical line the record starts on (1-based).
        var line: Int
        var fields: [String]
        /// False when a field's bytes are not UTF-8 (they are then shown with U+FFFD and must not be stored).
        var isValidUTF8 = true
    }

    static func parse(_ bytes: [UInt8]) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var index = 0
        var sawAnything = false
        var isValidUTF8 = true
        func endField() {
            if let text = String(validating: field, as: UTF8.self) {
                fields.append(text)
            } else {
                fields.append(String(decoding: field, as: UTF8.self))
                isValidUTF8 = false
            }
            field.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == 34 {
                    if index + 1 < bytes.count, bytes[index + 1] == 34 {
                        field.append(34)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == 10 { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case 34: inQuotes = true; sawAnything = true
                case 44: endField(); sawAnything = true
                case 13 where index + 1 < bytes.count && bytes[index + 1] == 10: break
                case 10:
                    endField()
                    records.append(Record(line: recordLine, fields: fields, isValidUTF8: isValidUTF8))
                    fields.removeAll()
                    isValidUTF8 = true
                    line += 1
                    recordLine = line
                    sawAnything = false
                default: field.append(byte); sawAnything = true
                }
            }
            index += 1
        }
        if sawAnything || !field.isEmpty || !fields.isEmpty {
            endField()
            records.append(Record(line: recordLine, fields: fields, isValidUTF8: isValidUTF8))
        }
        return records
    }
}
