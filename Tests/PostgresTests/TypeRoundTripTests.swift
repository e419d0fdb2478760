import Foundation
import Postgres
import Testing
import TestSupport

@Suite("Values survive a round trip through PostgreSQL")
struct TypeRoundTripTests {
    let connection: PGConnection

    init() throws {
        connection = try TestDatabase.create(migrated: false).connect()
    }

    @Test func integers() throws {
        let row = try connection.query("SELECT $1::int8, $2::int4, $3::int8", [Int64.max, Int32.min, -42])
        #expect(try row.firstRow { try $0.decode(Int64.self, 0) } == Int64.max)
        #expect(try row.firstRow { try $0.decode(Int32.self, 1) } == Int32.min)
        #expect(try row.firstRow { try $0.decode(Int.self, 2) } == -42)
    }

    @Test func doublesIncludingNonFinite() throws {
        for value in [0.1, -1e-300, 1.7976931348623157e308, .pi, .infinity, -.infinity] {
            let back = try connection.query("SELECT $1::float8", [value]).scalar(Double.self)
            #expect(back == value)
        }
        #expect(try connection.query("SELECT $1::float8", [Double.nan]).scalar(Double.self).isNaN)
    }

    @Test func textUnicodeAndLarge() throws {
        let cyrillic = "Семейные мужчины 30+ — «кроссовер» 🚗"
        #expect(try connection.query("SELECT $1::text", [cyrillic]).scalar(String.self) == cyrillic)
        let large = String(repeating: "Ж", count: 512 * 1024)  // 1 MiB of UTF-8
        let back = try connection.query("SELECT $1::text", [large]).scalar(String.self)
        #expect(back.utf8.count == 1024 * 1024)
        #expect(back == large)
    }

    @Test("a NUL inside a parameter is refused, not cut off where libpq's C string ends")
    func nulCharacterIsRefused() throws {
        for run in [{ try connection.query("SELECT $1::text", ["before\u{0}after"]) },
                    { try connection.pipeline([PGStatement("SELECT $1::text", ["ok"]), PGStatement("SELECT $1::text", ["a\u{0}b"])]) }]
            as [() throws -> Any] {
            do {
                _ = try run()
                Issue.record("a parameter with U+0000 must be refused")
            } catch let error as PGError {
                #expect(error.code == .invalidInput)
                #expect(error.message.contains("NUL"))
            }
        }
        // The connection is still usable.
        #expect(try connection.query("SELECT 'fine'::text").scalar(String.self) == "fine")
    }

    @Test func booleansAndUUIDs() throws {
        let id = UUID()
        let result = try connection.query("SELECT $1::bool, $2::bool, $3::uuid", [true, false, id])
        #expect(try result.firstRow { try $0.decode(Bool.self, 0) } == true)
        #expect(try result.firstRow { try $0.decode(Bool.self, 1) } == false)
        #expect(try result.firstRow { try $0.decode(UUID.self, 2) } == id)
    }

    @Test func timestampsFromOtherZonesAreTheSameInstant() throws {
        // 12:30 in Moscow (+03) is 09:30 UTC.
        let moscow = try connection.query("SELECT '2026-03-01 12:30:00.25+03'::timestamptz").scalar(Date.self)
        let utc = try connection.query("SELECT '2026-03-01 09:30:00.25Z'::timestamptz").scalar(Date.self)
        #expect(moscow == utc)
        #expect(abs(utc.timeIntervalSince1970 - 1_772_357_400.25) < 1e-6)
        // A Date sent as a parameter comes back to the microsecond, whatever the session zone.
        try connection.execute("SET TimeZone = 'Asia/Kolkata'")
        let now = Date(timeIntervalSince1970: 1_790_000_000.123456)
        let back = try connection.query("SELECT $1::timestamptz", [now]).scalar(Date.self)
        #expect(abs(back.timeIntervalSince1970 - now.timeIntervalSince1970) < 1e-6)
    }

    @Test func jsonAndNulls() throws {
        struct Portrait: Codable, Equatable { var age: String; var kids: Int }
        let value = Portrait(age: "30-45", kids: 2)
        let json = try connection.query("SELECT $1::jsonb", [try PGJSON(encoding: value)]).scalar(PGJSON.self)
        #expect(try json.decode(Portrait.self) == value)

        let nulls = try connection.query("SELECT $1::text, $2::int8", [String?.none, Int64?.none])
        #expect(try nulls.firstRow { try $0.decodeIfPresent(String.self, 0) } == .some(nil))
        #expect(try nulls.firstRow { try $0.decodeIfPresent(Int64.self, 1) } == .some(nil))
        #expect(throws: PGError.self) { try nulls.firstRow { try $0.decode(String.self, 0) } }
    }

    @Test func typeMismatchNamesTheColumn() throws {
        let result = try connection.query("SELECT 'abc'::text AS dealer_name")
        do {
            _ = try result.firstRow { try $0.decode(Int.self, 0) }
            Issue.record("decoding text as Int must fail")
        } catch let error as PGError {
            #expect(error.code == .decoding)
            #expect(error.message.contains("dealer_name"))
        }
    }

    @Test func hostileStringsAreStoredVerbatim() throws {
        try connection.execute("CREATE TABLE notes (id serial PRIMARY KEY, body text)")
        let hostile = [
            "'; DROP TABLE notes; --", "O'Brien", "semi;colon", "back\\slash", "\"double\"", "$1", "tab\there\nnewline",
        ]
        for text in hostile { try connection.execute("INSERT INTO notes (body) VALUES ($1)", [text]) }
        let stored = try connection.query("SELECT body FROM notes ORDER BY id").rows { try $0.decode(String.self, 0) }
        #expect(stored == hostile)
    }

    @Test("array literals: quotes, backslashes, braces, commas, Cyrillic, emoji, empty strings and NULLs arrive as sent")
    func arrayLiteralRoundTrip() throws {
        let values: [String?] = [
            "plain", "with \"quotes\"", "back\\slash", "\\\"", "{braces}", "a,b", "", nil, "NULL", "Семья 30+", "🚗 😀",
            "'; DROP TABLE x; --", " spaced ", "tab\tnew\nline",
        ]
        var back: [String?] = []
        try connection.query(
            "SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n", [PGArrayLiteral(values)]
        ).rows { try $0.decodeIfPresent(String.self, 0) }.forEach { back.append($0) }
        #expect(back == values)
        #expect(try connection.query("SELECT cardinality($1::text[])", [PGArrayLiteral([String]())]).scalar(Int.self) == 0)
    }
}
