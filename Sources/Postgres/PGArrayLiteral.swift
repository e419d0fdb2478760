/// A one-dimensional PostgreSQL array sent as one text parameter (`{"a","b",NULL}`), cast in SQL
/// (`$1::text[]`, `$2::int4[]`), so a whole batch travels in a handful of parameters.
///
/// Used for batches of inserts and lookups (`unnest($1::text[], …)`, `= ANY($1::text[])`).
/// Every element is double-quoted with `\` and `"` escaped, so commas, braces and quotes in values are data.
public struct PGArrayLiteral: PGEncodable {
    public let pgText: String?

    public init(_ values: [String?]) {
        var text = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            guard let value else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in value.unicodeScalars {
                if character == "\\" || character == "\"" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        pgText = text + "}"
    }

    public init(_ values: [String]) { self.init(values.map { Optional($0) }) }

    public init(_ values: [Int?]) { self.init(values.map { $0.map(String.init) }) }
}
