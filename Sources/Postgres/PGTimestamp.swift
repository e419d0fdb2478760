import Foundation

/// Fast, allocation-light conversion between `Date` and PostgreSQL's ISO timestamp text.
///
/// Sessions run with `DateStyle=ISO`, so the server prints `2026-03-01 09:30:00.25+00`; we accept any
/// offset (`+03`, `-05:30`) and a bare date. Dates are sent as UTC with microseconds, PostgreSQL's
/// resolution, so a round trip is exact to the microsecond.
public enum PGTimestamp {
    public static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        var micros = Int64(totalMicros)
        var seconds = micros / 1_000_000
        micros %= 1_000_000
        if micros < 0 {
            micros += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        let hour = secondOfDay / 3600, minute = (secondOfDay % 3600) / 60, second = secondOfDay % 60
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(hour, 2) + ":" + pad(minute, 2)
            + ":" + pad(second, 2) + "." + pad(micros, 6) + "Z"
    }

    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for offset in 0..<digits {
                let byte = bytes[index + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += digits
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else {
            return nil
        }
        var seconds = days(fromCivil: year, month, day) * 86_400
        var fraction = 0.0
        if index < bytes.count {
            guard expect(" T"), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
                let second = number(2)
            else { return nil }
            seconds += hour * 3600 + minute * 60 + second
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                var scale = 0.1
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    fraction += Double(bytes[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
            }
            if index < bytes.count {
                if bytes[index] == UInt8(ascii: "Z") {
                    index += 1
                } else {
                    let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                    guard expect("+-"), let offsetHours = number(2) else { return nil }
                    var offset = offsetHours * 3600
                    if index < bytes.count, bytes[index] == UInt8(ascii: ":") { index += 1 }
                    if index + 2 <= bytes.count, let offsetMinutes = number(2) { offset += offsetMinutes * 60 }
                    if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                        index += 1
                        guard let offsetSeconds = number(2) else { return nil }
                        offset += offsetSeconds
                    }
                    seconds -= sign * offset
                }
            }
        }
        guard index == bytes.count else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`); the event
    /// validator uses it too.
    public static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// RFC 3339 text for every date JourneyLab prints or puts in JSON — `2026-03-01T09:30:00Z` — by arithmetic,
/// never through Foundation's ISO 8601 formatters.
///
/// Why not those: some `journeylab serve` processes wrote most reports' `generated_at` through Foundation's
/// `.iso8601` JSON strategy as `2001-01-01T00:00:00Z`, `-4712-01-01T12:00:00Z` or `506713-02-07T00:00:00Z`
/// for a correct `Date` (the report's `days_elapsed`, from the same `Date`, was right), while other
/// processes of the same binary never did — schemathesis caught it against the report schema in four of six
/// fuzz runs; the CLI and in-process tests never showed it. Formatting by arithmetic has no shared
/// state to go wrong.
public enum RFC3339 {
    /// `2026-03-01T09:30:00Z`: UTC, whole seconds (the fraction is dropped, as Foundation's formatter does).
    /// Years outside 0001–9999 are written as those bounds, so a bad `Date` never stops a response.
    public static func string(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.isNaN ? 0 : min(max(date.timeIntervalSince1970, -62_135_596_800), 253_402_300_799)
        let text = PGTimestamp.format(Date(timeIntervalSince1970: seconds.rounded(.down)))
        // PGTimestamp writes microseconds: `…T09:30:00.000000Z`.
        return String(text.prefix(while: { $0 != "." })) + "Z"
    }

    /// `2026-03-01`, the UTC calendar date.
    public static func day(_ date: Date) -> String { String(string(date).prefix(while: { $0 != "T" })) }

    /// An RFC 3339 time (`instant`) or a bare date `2027-03-01` (midnight UTC). Dates that do not exist are nil,
    /// never rolled over (`2027-02-30` is not 2 March).
    public static func date(_ text: String) -> Date? {
        guard text.utf8.count == 10 else { return instant(text) }
        return instant(text + "T00:00:00Z")
    }

    /// An RFC 3339 time with a zone: `2025-03-01T10:15:00Z`, `2025-03-01T13:15:00.250+03:00` (also `t`/`z`; the
    /// offset with its colon, as RFC 3339 writes it). Strict: a date that does not exist (February 30), hour 24, minute or second 60,
    /// an offset beyond ±23:59, more than 9 fractional digits or anything around the time is nil, never rolled
    /// over to another instant.
    public static func instant(_ text: String) -> Date? {
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
        guard (1...12).contains(month), day >= 1, day <= days(inMonth: month, year: year), hour <= 23, minute <= 59,
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

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// For `JSONEncoder.dateEncodingStrategy`.
    public static let encoding = JSONEncoder.DateEncodingStrategy.custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(string(date))
    }

    /// For `JSONDecoder.dateDecodingStrategy`.
    public static let decoding = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = date(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not an RFC 3339 time")
        }
        return date
    }
}
