/// A one-dimensional PostgreSQL array sent as one text parameter (`{"a","b",NULL}`), cast in SQL
/// (`$1::text[]`, `$2::int4[]`), so a whole batch travels in a handful of parameters.
///
/// Used for batches of inserts and lookups (`unnest($1::text[], …)`, `= ANY($1::text[])`).
/// Every element is double-quoted with `\` and `"` escaped, so commas, braces and quotes in values are data.
public struct PGArrayLiteral: PGEncodable {
    public let pgText: String?

    public init(_ values: [String?]) {
        // Built as UTF-8 bytes: `"` and `\` are single bytes that never occur inside a multi-byte sequence,
        // so escaping byte by byte is exact, and far cheaper than appending Unicode scalars to a String.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 + values.reduce(0) { $0 + ($1?.utf8.count ?? 4) + 3 })
        bytes.append(UInt8(ascii: "{"))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let value else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        pgText = String(decoding: bytes, as: UTF8.self)
    }

    public init(_ values: [String]) { self.init(values.map { Optional($0) }) }

    public init(_ values: [Int?]) { self.init(values.map { $0.map(String.init) }) }
}
