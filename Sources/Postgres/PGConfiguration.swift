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
    /// True when the string carries a password (which `description` and `options` leave out).
    public let hasPassword: Bool

    /// - Throws: `PGError.client` when libpq cannot parse the string.
    public init(_ urlOrConninfo: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(urlOrConninfo, &errorMessage) else {
            let text = errorMessage.map { String(cString: $0) } ?? "unparseable connection string"
            if let errorMessage { PQfreemem(errorMessage) }
            // libpq quotes the offending part, sometimes the whole URL: never let the password through.
            let reason = Self.redactingPassword(of: urlOrConninfo, in: text.trimmingCharacters(in: .whitespacesAndNewlines))
            throw PGError(
                .client,
                "invalid database URL: \(reason) — use postgresql://user:pass@host:5432/db or host=/path dbname=db"
            )
        }
        defer { PQconninfoFree(parsed) }
        var options: [String: String] = [:]
        var hasPassword = false
        var cursor = parsed
        while let keyword = cursor.pointee.keyword {
            if let value = cursor.pointee.val {
                let key = String(cString: keyword)
                if key == "password" { hasPassword = true } else { options[key] = String(cString: value) }
            }
            cursor = cursor.advanced(by: 1)
        }
        self.connectionString = urlOrConninfo
        self.options = options
        self.hasPassword = hasPassword
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

    /// The string as given when it holds no password (so every libpq option survives), else `description`:
    /// what to show a user who may copy it into another command.
    public var shareableString: String { hasPassword ? description : connectionString }

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

    /// A conninfo string for another login role on the same server and database, every option kept but the
    /// password (TLS settings, several hosts, IPv6, sockets): `host=/run/pg port=5432 dbname=jl user=app`.
    /// For `db grant`'s hint, which must work as printed.
    public func conninfo(asUser user: String) -> String {
        var options = self.options
        options["user"] = user
        let first = ["host", "hostaddr", "port", "dbname", "user"].filter { options[$0] != nil }
        let keys = first + options.keys.filter { !first.contains($0) }.sorted()
        return keys.map { key in
            let value = options[key] ?? ""
            let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "'" || $0 == "\\" || $0 == "=" }
            return "\(key)=" + (plain ? value : "'\(Self.quoteConninfo(value))'")
        }.joined(separator: " ")
    }

    /// `text` with every spelling of the password in `urlOrConninfo` (as written, unquoted, percent-decoded)
    /// replaced by `***`, for messages about a string libpq could not parse.
    public static func redactingPassword(of urlOrConninfo: String, in text: String) -> String {
        var secrets: [String] = []
        if let scheme = urlOrConninfo.range(of: "://"), let at = urlOrConninfo.range(of: "@", options: .backwards),
            scheme.upperBound <= at.lowerBound
        {
            let userinfo = urlOrConninfo[scheme.upperBound..<at.lowerBound]
            if let colon = userinfo.firstIndex(of: ":") {
                let password = String(userinfo[userinfo.index(after: colon)...])
                secrets += [password, password.removingPercentEncoding ?? password]
            }
        }
        // Conninfo `password=value` or `password='quoted value'`, and `?password=` in a URL.
        for match in urlOrConninfo.matches(of: /password\s*=\s*('(?:[^'\\]|\\.)*'?|[^\s&]+)/) {
            var value = String(match.output.1)
            secrets.append(value)
            if value.hasPrefix("'") {
                value.removeFirst()
                if value.hasSuffix("'") { value.removeLast() }
                secrets.append(value)
            }
            secrets.append(value.removingPercentEncoding ?? value)
        }
        var redacted = text
        for secret in Set(secrets).sorted(by: { $0.count > $1.count }) where !secret.isEmpty {
            redacted = redacted.replacingOccurrences(of: secret, with: "***")
        }
        return redacted
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

extension PGConfiguration: CustomDebugStringConvertible, CustomReflectable {
    /// `String(reflecting:)`, string interpolation in log metadata: the URL without its password.
    public var debugDescription: String { description }

    /// `dump` and any mirror-based printing (a configuration inside a logged struct) see only the redacted URL.
    public var customMirror: Mirror { Mirror(self, children: ["url": description], displayStyle: .struct) }
}
