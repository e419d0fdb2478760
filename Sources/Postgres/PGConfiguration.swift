import CLibPQ
import Foundation

/// Where and how to connect: a `postgresql://` URL or a libpq conninfo string (`host=/run/pg dbname=x`).
///
/// libpq parses both forms itself, so every libpq option works (`sslmode`, `?host=/path` for Unix sockets,
/// `connect_timeout`, …). Validation happens at construction, so a typo is reported before any connect.
public struct PGConfiguration: Sendable, CustomStringConvertible {
    /// The string handed to `PQconnectdb`.
    public let connectionString: String
    /// Parsed options (keyword → value), with the password removed.
    public let options: [String: String]

    /// - Throws: `PGError.client` when libpq cannot parse the string.
    public init(_ urlOrConninfo: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(urlOrConninfo, &errorMessage) else {
            let text = errorMessage.map { String(cString: $0) } ?? "unparseable connection string"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PGError(
                .client,
                "invalid database URL: \(text.trimmingCharacters(in: .whitespacesAndNewlines)) — use postgresql://user:pass@host:5432/db or host=/path dbname=db"
            )
        }
        defer { PQconninfoFree(parsed) }
        var options: [String: String] = [:]
        var cursor = parsed
        while let keyword = cursor.pointee.keyword {
            if let value = cursor.pointee.val {
                let key = String(cString: keyword)
                if key != "password" { options[key] = String(cString: value) }
            }
            cursor = cursor.advanced(by: 1)
        }
        self.connectionString = urlOrConninfo
        self.options = options
    }

    /// The same target with extra libpq options appended (conninfo form).
    public func adding(_ extra: [String: String]) throws -> PGConfiguration {
        // libpq accepts a URL only as a whole string; append extras as URL query parameters in that case.
        if connectionString.hasPrefix("postgres://") || connectionString.hasPrefix("postgresql://") {
            let separator = connectionString.contains("?") ? "&" : "?"
            let query = extra.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.percentEncode($0.value))" }
            return try PGConfiguration(connectionString + separator + query.joined(separator: "&"))
        }
        let pairs = extra.sorted { $0.key < $1.key }.map { "\($0.key)='\(Self.quoteConninfo($0.value))'" }
        return try PGConfiguration(connectionString + " " + pairs.joined(separator: " "))
    }

    /// A URL-shaped description without the password, safe for logs and `db status`.
    public var description: String {
        let user = options["user"].map { $0 + "@" } ?? ""
        let host = options["host"] ?? options["hostaddr"] ?? "localhost"
        let port = options["port"].map { ":" + $0 } ?? ""
        let database = options["dbname"] ?? ""
        if host.hasPrefix("/") {
            return "postgresql://\(user)/\(database)?host=\(host)\(port.isEmpty ? "" : "&port=" + port.dropFirst())"
        }
        return "postgresql://\(user)\(host)\(port)/\(database)"
    }

    static func quoteConninfo(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    }

    static func percentEncode(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
