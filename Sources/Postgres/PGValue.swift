import Foundation

/// A Swift value that can be sent as a query parameter (text format; cast in SQL: `$1::int8`).
public protocol PGEncodable: Sendable {
    /// The parameter's text form, or nil for SQL NULL.
    var pgText: String? { get }
}

/// A Swift value that can be read from a result column (text format).
public protocol PGDecodable {
    /// Decodes the column's text; `type` is the column's type OID, for strict checks.
    static func decode(pgText: String, type: PGTypeOID, column: String) throws -> Self
}

/// The PostgreSQL type OIDs the decoder checks against (pg_type.h).
public struct PGTypeOID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static let bool = PGTypeOID(16)
    public static let bytea = PGTypeOID(17)
    public static let name = PGTypeOID(19)
    public static let int8 = PGTypeOID(20)
    public static let int2 = PGTypeOID(21)
    public static let int4 = PGTypeOID(23)
    public static let text = PGTypeOID(25)
    public static let oid = PGTypeOID(26)
    public static let json = PGTypeOID(114)
    public static let float4 = PGTypeOID(700)
    public static let float8 = PGTypeOID(701)
    public static let bpchar = PGTypeOID(1042)
    public static let varchar = PGTypeOID(1043)
    public static let date = PGTypeOID(1082)
    public static let timestamp = PGTypeOID(1114)
    public static let timestamptz = PGTypeOID(1184)
    public static let numeric = PGTypeOID(1700)
    public static let uuid = PGTypeOID(2950)
    public static let jsonb = PGTypeOID(3802)

    static let names: [UInt32: String] = [
        16: "bool", 17: "bytea", 19: "name", 20: "int8", 21: "int2", 23: "int4", 25: "text", 26: "oid",
        114: "json", 700: "float4", 701: "float8", 1042: "bpchar", 1043: "varchar", 1082: "date",
        1114: "timestamp", 1184: "timestamptz", 1700: "numeric", 2950: "uuid", 3802: "jsonb",
    ]
    public var description: String { Self.names[rawValue] ?? "oid \(rawValue)" }

    var isInteger: Bool { self == .int2 || self == .int4 || self == .int8 || self == .oid }
    var isTextual: Bool { self == .text || self == .varchar || self == .bpchar || self == .name }
}

func mismatch(_ column: String, _ type: PGTypeOID, _ swiftType: String) -> PGError {
    PGError(.decoding, "column \"\(column)\" is \(type), which cannot be read as \(swiftType)")
}

func malformed(_ column: String, _ text: String, _ swiftType: String) -> PGError {
    PGError(.decoding, "column \"\(column)\" holds \"\(text.prefix(40))\", which is not a valid \(swiftType)")
}

// MARK: Integers

extension Int64: PGEncodable, PGDecodable {
    public var pgText: String? { String(self) }
    public static func decode(pgText: String, type: PGTypeOID, column: String) throws -> Int64 {
        guard type.isInteger else { throw mismatch(column, type, "Int64") }
        guard let value = Int64(pgText) else { throw malformed(column, pgText, "Int64") }
        return value
    }
}

extension Int: PGEncodable, PGDecodable {
    public var pgText: String? { String(self) }
    public static func decode(pgText: String, type: PGTypeOID, column: String) throws -> Int {
        guard type.isInteger else { throw mismatch(column, type, "Int") }
        guard let value = Int(pgText) else { throw malformed(column, pgText, "Int") }
        return value
    }
}

extension Int32: PGEncodable, PGDecodable {
    public var pgText: String? { String(self) }
    public static func decode(pgText: String, type: PGTypeOID, column: String) throws -> Int32 {
        guard type.isInteger else { throw mismatch(column, type, "Int32") }
        guard let value = Int32(pgText) else { throw malformed(column, pgText, "Int32") }
        return value
    }
}

// MARK: Floating point

extension Double: PGEncodable, PGDecodable {
    public var pgText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }
    public static func decode(pgText: String, type: PGTypeOID, column: String) throws -> Double {
        guard type == .float8 || type == .float4 || type == .numeric || type.isInteger else {
            throw mismatch(column, type, "Double")
        }
        switch pgText {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(pgText) else { throw malformed(column, pgText, "Double") }
            return value
        }
    }
}

// MARK: Text, Bool

extension String: PGEncodable, PGDecodable {
    public var pgText: String? { self }
    /// Any textual column; also json/uuid/numeric so callers can take them verbatim.
    public static func decode(pgText: String, type: PGTypeOID, column: String) throws -> String {
        guard type.isTextual || type == .json || type == .jsonb || type == .uuid || type == .numeric else {
            throw mismatch(column, type, "String")
        }
        return pgText
    }
}

extension Bool: PGEncodable, PGDecodable {
    public var pgText: String? { self ? "t" : "f" }
    public static func decode(pgText: String, type: PGTypeOID, column: String) throws -> Bool {
        guard type == .bool else { throw mismatch(column, type, "Bool") }
        switch pgText {
        case "t": return true
        case "f": return false
        default: throw malformed(column, pgText, "Bool")
        }
    }
}

// MARK: UUID

extension UUID: PGEncodable, PGDecodable {
    public var pgText: String? { uuidString.lowercased() }
    public static func decode(pgText: String, type: PGTypeOID, column: String) throws -> UUID {
        guard type == .uuid || type.isTextual else { throw mismatch(column, type, "UUID") }
        guard let value = UUID(uuidString: pgText) else { throw malformed(column, pgText, "UUID") }
        return value
    }
}

// MARK: Date (timestamptz)

extension Date: PGEncodable, PGDecodable {
    /// ISO 8601 in UTC with microseconds: exact for PostgreSQL's resolution, independent of the session zone.
    public var pgText: String? { PGTimestamp.format(self) }
    public static func decode(pgText: String, type: PGTypeOID, column: String) throws -> Date {
        guard type == .timestamptz || type == .timestamp || type == .date else {
            throw mismatch(column, type, "Date")
        }
        guard let value = PGTimestamp.parse(pgText) else { throw malformed(column, pgText, "timestamp") }
        return value
    }
}

// MARK: JSON

/// A JSON document, sent as text and read from `json`/`jsonb` columns.
public struct PGJSON: PGEncodable, PGDecodable, Hashable {
    public var text: String
    public init(text: String) { self.text = text }

    /// Encodes a value with sorted keys (stable text, so equal values compare equal).
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = RFC3339.encoding
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the document as `T`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = RFC3339.decoding
        return try decoder.decode(type, from: Data(text.utf8))
    }

    public var pgText: String? { text }
    public static func decode(pgText: String, type: PGTypeOID, column: String) throws -> PGJSON {
        guard type == .json || type == .jsonb || type.isTextual else { throw mismatch(column, type, "JSON") }
        return PGJSON(text: pgText)
    }
}

// MARK: NULL

extension Optional: PGEncodable where Wrapped: PGEncodable {
    public var pgText: String? {
        switch self {
        case .none: return nil
        case .some(let value): return value.pgText
        }
    }
}
