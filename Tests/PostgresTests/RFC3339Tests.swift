import Foundation
import Postgres
import Testing

@Suite("RFC 3339 text")
struct RFC3339Tests {
    /// The same text as Foundation's formatter (used here once, single-threaded, as the reference) for
    /// dates across four centuries, fractions dropped. (Within a microsecond below a whole second the two
    /// may differ by that second: Foundation counts from 2001 in a `Double`, we from 1970.)
    @Test func agreesWithFoundationsFormatter() {
        let reference = ISO8601DateFormatter()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let seconds = Double(Int64.random(in: -2_000_000_000...7_000_000_000, using: &generator))
            let date = Date(timeIntervalSince1970: seconds + Double.random(in: 0..<0.99, using: &generator))
            #expect(RFC3339.string(date) == reference.string(from: date), "\(date.timeIntervalSince1970)")
        }
        #expect(RFC3339.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.string(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59Z")
        #expect(RFC3339.day(Date(timeIntervalSince1970: 1_790_000_000)) == "2026-09-21")
        // Out of range: the bounds, not a trap.
        #expect(RFC3339.string(Date(timeIntervalSince1970: 1.6e13)) == "9999-12-31T23:59:59Z")
        #expect(RFC3339.string(Date(timeIntervalSince1970: -1e15)) == "0001-01-01T00:00:00Z")
        #expect(RFC3339.string(Date(timeIntervalSince1970: .infinity)) == "9999-12-31T23:59:59Z")
    }

    @Test func parsesWhatItWritesAndZonedTimes() throws {
        let date = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(RFC3339.date(RFC3339.string(date)) == date)
        #expect(RFC3339.date("2026-09-21T17:13:20+03:00") == date)
        #expect(RFC3339.date("2026-09-21T14:13:20.25Z") == date.addingTimeInterval(0.25))
        #expect(RFC3339.date("2026-09-21") == Date(timeIntervalSince1970: 1_790_000_000 - 14 * 3600 - 13 * 60 - 20))
        #expect(RFC3339.date("21.09.2026") == nil)
        #expect(RFC3339.date("2026-09-21T14:13:20") == nil, "a time without a zone is ambiguous")
        #expect(RFC3339.date("2026-09-21T09:13:20-05:00") == date)
        // Dates and times that do not exist are refused, never rolled over to another day.
        for impossible in ["2027-02-30", "2027-13-45", "2028-02-30", "2027-02-30T25:61:00Z", "2027-06-31T10:00:00Z",
                           "2027-06-01T24:00:00Z", "2027-06-01T10:60:00Z", "2027-06-01T10:00:60Z", "2027-06-01T10:00:00+24:00",
                           "2027-06-01T10:00:00+0300", "2027-06-01T10:00:00+03", "2027-06-01 10:00:00Z", "2027-6-1"] {
            #expect(RFC3339.date(impossible) == nil, "\(impossible)")
        }
        #expect(RFC3339.date("2028-02-29") != nil, "a leap day")

        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = RFC3339.encoding
        let text = String(decoding: try encoder.encode(["at": date]), as: UTF8.self)
        #expect(text == #"{"at":"2026-09-21T14:13:20Z"}"#)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = RFC3339.decoding
        #expect(try decoder.decode([String: Date].self, from: Data(text.utf8))["at"] == date)
        #expect(throws: DecodingError.self) { try decoder.decode([String: Date].self, from: Data(#"{"at":"soon"}"#.utf8)) }
    }
}
