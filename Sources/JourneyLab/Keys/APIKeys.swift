import Crypto
import Foundation
import Postgres

/// Creates, lists, revokes and verifies API keys.
///
/// A secret is `jl_` followed by 64 hex digits (256 random bits from `SystemRandomNumberGenerator`); only its
/// SHA-256 is stored, so a leaked database does not leak usable keys. Verification hashes the presented
/// secret, looks the hash up, and compares it in constant time.
///
/// ```swift
/// let created = try APIKeys.create(role: .dealer, dealerID: "dealer-7", name: "CRM", actor: "cli:ops", connection)
/// print(created.secret)  // shown once
/// ```
public enum APIKeys {
    /// The result of checking a presented secret.
    public enum Verification: Sendable, Equatable {
        case valid(Principal)
        /// No such key (or a malformed secret).
        case unknown
        case revoked
    }

    static let secretPrefix = "jl_"

    /// Creates a key and returns its secret (shown once).
    /// - Throws: `JourneyLabError.invalidInput` when the role and dealer do not fit together or the name is empty.
    public static func create(
        role: Principal.Role, dealerID: String?, name: String, actor: String, _ connection: PGConnection
    ) throws -> APIKey.Created {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else {
            throw JourneyLabError.invalid("the key needs a --name of 1 to 200 characters", field: "name")
        }
        // `key list` prints names: an escape sequence in one would act on the operator's terminal.
        guard !ControlCharacters.occur(in: name) else {
            throw JourneyLabError.invalid("the key's --name contains a control character: give one line of plain text", field: "name")
        }
        if role == .dealer {
            guard let dealerID else {
                throw JourneyLabError.invalid("a dealer key needs --dealer with the dealer's id (1 to 128 characters)", field: "dealer")
            }
            // The dealer id the key's requests must carry: the same rule as the requests' dealer_id.
            try ExternalID.check(dealerID, field: "dealer")
        } else if dealerID != nil {
            throw JourneyLabError.invalid("only dealer keys belong to a dealer: drop --dealer or use --role dealer", field: "dealer")
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let id = "key_" + String((0..<12).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = secretPrefix + hex(bytes)
        try connection.withTransaction { connection in
            try connection.execute(
                "INSERT INTO api_keys (id, name, role, dealer_id, secret_hash) VALUES ($1, $2, $3, $4, $5)",
                [id, name, role.rawValue, role == .dealer ? dealerID : nil, hash(secret)])
            struct Audited: Encodable { var id: String; var name: String; var role: String; var dealer: String? }
            try AuditLog.record(
                connection, actor: actor, action: "key.create", entityType: "api_key", entityKey: id,
                after: Audited(id: id, name: name, role: role.rawValue, dealer: dealerID))
        }
        return APIKey.Created(id: id, secret: secret, role: role, dealer: role == .dealer ? dealerID : nil, name: name)
    }

    /// Every key, oldest first (never the secrets).
    public static func list(_ connection: PGConnection) throws -> [APIKey] {
        try connection.query(
            "SELECT id, name, role, dealer_id, created_at, revoked_at FROM api_keys ORDER BY created_at, id"
        ).rows(decode)
    }

    /// Revokes a key, named by its id or by its secret; revoking a revoked key changes nothing.
    /// - Throws: `JourneyLabError.notFound` for an unknown id or secret (the secret is not repeated).
    @discardableResult
    public static func revoke(_ reference: String, actor: String, _ connection: PGConnection) throws -> APIKey {
        // A secret is what someone holding a leaked key has; it is found by its hash and never echoed — also
        // when pasted with its header ("Authorization: Bearer jl_…"), quotes or spaces around it.
        let around = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\"'"))
        var reference = reference.trimmingCharacters(in: around)
        if let token = reference.range(of: secretPrefix, options: .caseInsensitive) {
            reference = String(reference[token.lowerBound...]).trimmingCharacters(in: around)
        }
        let isSecret = reference.lowercased().hasPrefix(secretPrefix)
        return try connection.withTransaction { connection in
            guard
                let key = try connection.query(
                    "SELECT id, name, role, dealer_id, created_at, revoked_at FROM api_keys WHERE \(isSecret ? "secret_hash" : "id") = $1 FOR UPDATE",
                    [isSecret ? hash(reference) : reference]
                ).firstRow(decode)
            else {
                throw JourneyLabError.notFound(
                    isSecret
                        ? "no API key has this secret (not shown): `journeylab key list` shows the ids"
                        : "no API key \"\(reference)\": `journeylab key list` shows the ids")
            }
            if key.revokedAt != nil { return key }
            let revoked = try connection.query(
                "UPDATE api_keys SET revoked_at = now() WHERE id = $1 RETURNING id, name, role, dealer_id, created_at, revoked_at",
                [key.id]
            ).firstRow(decode)!
            try AuditLog.record(
                connection, actor: actor, action: "key.revoke", entityType: "api_key", entityKey: key.id,
                after: ["revoked_at": PGTimestamp.format(revoked.revokedAt ?? Date())] as [String: String])
            return revoked
        }
    }

    /// Checks a presented secret. Never logs or stores it.
    public static func verify(secret: String, _ connection: PGConnection) throws -> Verification {
        guard isWellFormed(secret) else { return .unknown }
        let presented = hash(secret)
        guard
            let row = try connection.query(
                "SELECT id, role, dealer_id, secret_hash, revoked_at IS NOT NULL FROM api_keys WHERE secret_hash = $1",
                [presented], planning: .reusable
            ).firstRow({ row in
                (
                    id: try row.decode(String.self, 0), role: try row.decode(String.self, 1),
                    dealer: try row.decodeIfPresent(String.self, 2), hash: try row.decode(String.self, 3),
                    revoked: try row.decode(Bool.self, 4)
                )
            })
        else { return .unknown }
        // The index lookup already matched; the constant-time check keeps a future lookup change honest.
        guard constantTimeEquals(Array(row.hash.utf8), Array(presented.utf8)), let role = Principal.Role(rawValue: row.role) else {
            return .unknown
        }
        if row.revoked { return .revoked }
        return .valid(Principal(keyID: row.id, role: role, dealerID: row.dealer))
    }

    /// `jl_` + 64 lowercase hex digits.
    public static func isWellFormed(_ secret: String) -> Bool {
        let utf8 = Array(secret.utf8)
        guard utf8.count == 67, secret.hasPrefix(secretPrefix) else { return false }
        return utf8.dropFirst(3).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// SHA-256 of the secret as lowercase hex: what `api_keys.secret_hash` stores.
    public static func hash(_ secret: String) -> String {
        hex(Array(SHA256.hash(data: Data(secret.utf8))))
    }

    /// Compares without an early exit, so timing does not reveal how many leading bytes matched.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ row: PGRow) throws -> APIKey {
        APIKey(
            id: try row.decode(String.self, 0), name: try row.decode(String.self, 1),
            role: Principal.Role(rawValue: try row.decode(String.self, 2)) ?? .analyst,
            dealerID: try row.decodeIfPresent(String.self, 3), createdAt: try row.decode(Date.self, 4),
            revokedAt: try row.decodeIfPresent(Date.self, 5))
    }
}
