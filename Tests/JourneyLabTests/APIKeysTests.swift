import Foundation
import JourneyLab
import Postgres
import Testing
import TestSupport

@Suite("APIKeys")
struct APIKeysTests {
    @Test("create stores only the hash; verify finds the key; revoke refuses it; audit rows are written")
    func lifecycle() throws {
        let connection = try TestDatabase.create().connect()
        let created = try APIKeys.create(role: .dealer, dealerID: "dealer-1", name: "CRM", actor: "test", connection)
        #expect(created.id.wholeMatch(of: /key_[a-z0-9]{12}/) != nil)
        #expect(created.secret.wholeMatch(of: /jl_[0-9a-f]{64}/) != nil)
        let stored = try connection.query("SELECT secret_hash FROM api_keys WHERE id = $1", [created.id]).scalar(String.self)
        #expect(stored == APIKeys.hash(created.secret))
        #expect(stored != created.secret)
        #expect(try APIKeys.verify(secret: created.secret, connection) == .valid(Principal(keyID: created.id, role: .dealer, dealerID: "dealer-1")))
        #expect(try APIKeys.verify(secret: "jl_" + String(repeating: "a", count: 64), connection) == .unknown)
        #expect(try APIKeys.verify(secret: "garbage", connection) == .unknown)
        try APIKeys.revoke(created.id, actor: "test", connection)
        #expect(try APIKeys.verify(secret: created.secret, connection) == .revoked)
        #expect(try APIKeys.list(connection).first?.revokedAt != nil)
        #expect(try AuditLog.entries(connection, entityType: "api_key").map(\.action) == ["key.create", "key.revoke"])
    }

    @Test("the JSON of a created and a listed key names every field, null where it does not apply")
    func jsonKeepsNullFields() throws {
        let connection = try TestDatabase.create().connect()
        let created = try APIKeys.create(role: .analyst, dealerID: nil, name: "Analyst", actor: "test", connection)
        let createdJSON = try JSONSerialization.jsonObject(with: JSONEncoder().encode(created)) as? [String: Any]
        #expect(Set(createdJSON?.keys.map { $0 } ?? []) == ["id", "secret", "role", "dealer", "name"])
        #expect(createdJSON?["dealer"] is NSNull)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = RFC3339.encoding
        let listed = try JSONSerialization.jsonObject(with: encoder.encode(try APIKeys.list(connection))) as? [[String: Any]]
        #expect(Set(listed?.first?.keys.map { $0 } ?? []) == ["id", "name", "role", "dealer", "created_at", "revoked_at"])
        #expect(listed?.first?["revoked_at"] is NSNull)
    }

    @Test("role and dealer must fit; unknown ids are not found")
    func validation() throws {
        let connection = try TestDatabase.create().connect()
        #expect(throws: JourneyLabError.self) { try APIKeys.create(role: .dealer, dealerID: nil, name: "x", actor: "t", connection) }
        #expect(throws: JourneyLabError.self) { try APIKeys.create(role: .admin, dealerID: "d", name: "x", actor: "t", connection) }
        #expect(throws: JourneyLabError.self) { try APIKeys.create(role: .admin, dealerID: nil, name: " ", actor: "t", connection) }
        #expect(throws: JourneyLabError.self) { try APIKeys.revoke("key_nope", actor: "t", connection) }
        // `key list` prints names: no escape sequence may reach the operator's terminal.
        #expect(throws: JourneyLabError.self) { try APIKeys.create(role: .admin, dealerID: nil, name: "ops\u{1B}[2J", actor: "t", connection) }
        // Nor a right-to-left override, which would make `key list` show another name than the one stored.
        #expect(throws: JourneyLabError.self) { try APIKeys.create(role: .admin, dealerID: nil, name: "ops \u{202E}tset", actor: "t", connection) }
        #expect(try connection.query("SELECT count(*) FROM api_keys").scalar(Int.self) == 0)
    }

    @Test("secrets are distinct and constant-time comparison works")
    func randomness() throws {
        let connection = try TestDatabase.create().connect()
        let secrets = try (0..<20).map { _ in try APIKeys.create(role: .analyst, dealerID: nil, name: "k", actor: "t", connection).secret }
        #expect(Set(secrets).count == 20)
        #expect(APIKeys.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!APIKeys.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!APIKeys.constantTimeEquals([1, 2], [1, 2, 3]))
    }

    // MARK: Entropy

    /// Why a batch of secrets does not look like ≥ 128 uniformly random bits each; empty when it does.
    ///
    /// Each secret is `jl_` + 64 hex digits (256 bits if uniform). Checks: the format; all secrets and all
    /// their 16-digit (64-bit) chunks distinct (a generator repeating or reusing a smaller seed collides);
    /// per-position digit counts against uniform (chi-square, 15 df, each below 62.3: p = 1e-7 under a good
    /// generator, so 64 positions false-fail with p < 1e-5); and byte values pooled over positions (255 df,
    /// below 390.2, p = 1e-7) for dependence between a byte's two digits.
    static func weaknesses(of secrets: [String]) -> [String] {
        var problems: [String] = []
        let bodies = secrets.compactMap { secret -> [UInt8]? in
            guard secret.wholeMatch(of: /jl_[0-9a-f]{64}/) != nil else {
                problems.append("malformed secret \(secret.prefix(8))…")
                return nil
            }
            return Array(secret.utf8.dropFirst(3)).map { $0 <= 57 ? $0 - 48 : $0 - 87 }
        }
        if Set(secrets).count != secrets.count { problems.append("repeated secrets") }
        var chunks = Set<ArraySlice<UInt8>>()
        for body in bodies { for start in stride(from: 0, to: 64, by: 16) { chunks.insert(body[start..<(start + 16)]) } }
        if chunks.count != bodies.count * 4 { problems.append("repeated 64-bit chunks: \(bodies.count * 4 - chunks.count)") }

        func chiSquare(_ counts: [Int]) -> Double {
            let expected = Double(counts.reduce(0, +)) / Double(counts.count)
            return counts.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        }
        for position in 0..<64 {
            var counts = [Int](repeating: 0, count: 16)
            for body in bodies { counts[Int(body[position])] += 1 }
            let statistic = chiSquare(counts)
            if statistic > 62.3 { problems.append("position \(position): chi-square \(Int(statistic)) > 62.3") }
        }
        var bytes = [Int](repeating: 0, count: 256)
        for body in bodies { for index in stride(from: 0, to: 64, by: 2) { bytes[Int(body[index]) << 4 | Int(body[index + 1])] += 1 } }
        let statistic = chiSquare(bytes)
        if statistic > 390.2 { problems.append("bytes: chi-square \(Int(statistic)) > 390.2") }
        return problems
    }

    @Test("1,000 secrets carry ≥ 128 random bits each: format, distinct, uniform digits; only their hash is stored")
    func entropy() throws {
        let connection = try TestDatabase.create().connect()
        var created: [APIKey.Created] = []
        try connection.withTransaction { connection in
            for index in 0..<1000 {
                created.append(try APIKeys.create(role: .analyst, dealerID: nil, name: "k\(index)", actor: "test", connection))
            }
        }
        let secrets = created.map(\.secret)
        #expect(Self.weaknesses(of: secrets) == [])

        // Stored: PostgreSQL's own SHA-256 of each secret, and no secret anywhere in api_keys or the audit log.
        let mismatched = try connection.query(
            """
            SELECT count(*) FROM api_keys k JOIN unnest($1::text[], $2::text[]) AS c(id, secret) ON c.id = k.id
             WHERE k.secret_hash <> encode(sha256(convert_to(c.secret, 'UTF8')), 'hex')
            """, [PGArrayLiteral(created.map(\.id)), PGArrayLiteral(secrets)]
        ).scalar(Int.self)
        #expect(mismatched == 0)
        let rows = try connection.query("SELECT k::text FROM api_keys k UNION ALL SELECT a::text FROM audit_log a")
            .rows { try $0.decode(String.self, 0) }
        #expect(rows.count == 2000)
        let bodies = Set(secrets.map { String($0.dropFirst(3)) })
        var leaked = 0
        for row in rows {
            for run in row.matches(of: /[0-9a-f]{64,}/) {
                let text = Array(run.output)
                for start in 0...(text.count - 64) where bodies.contains(String(text[start..<(start + 64)])) { leaked += 1 }
            }
            if row.contains("jl_") { leaked += 1 }
        }
        #expect(leaked == 0)
    }

    @Test("the entropy check rejects weak generators")
    func entropyCheckHasPower() {
        var random = SystemRandomNumberGenerator()
        func secret(_ bytes: [UInt8]) -> String { "jl_" + bytes.map { String(format: "%02x", $0) }.joined() }
        // 7 random bits per byte (224 bits, but the high digit never exceeds 7).
        let sevenBit = (0..<1000).map { _ in secret((0..<32).map { _ in UInt8.random(in: 0...127, using: &random) }) }
        #expect(!Self.weaknesses(of: sevenBit).isEmpty)
        // 64 random bits repeated four times: uniform digits, but only 64 bits of entropy.
        let repeated = (0..<1000).map { _ -> String in
            let seed = (0..<8).map { _ in UInt8.random(in: 0...255, using: &random) }
            return secret(seed + seed + seed + seed)
        }
        #expect(!Self.weaknesses(of: repeated).isEmpty)
        // A linear congruential generator seeded with the current second for each key (`srand(time(0))`).
        let lcg = (0..<1000).map { _ in
            var state = UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
            return secret((0..<32).map { _ in
                state = state &* 1_103_515_245 &+ 12_345
                return UInt8(truncatingIfNeeded: state >> 16)
            })
        }
        #expect(!Self.weaknesses(of: lcg).isEmpty)
        // A counter.
        let counter = (0..<1000).map { n in secret([UInt8](repeating: 0, count: 24) + withUnsafeBytes(of: UInt64(n).bigEndian, Array.init)) }
        #expect(!Self.weaknesses(of: counter).isEmpty)
        // Wrong shapes.
        #expect(!Self.weaknesses(of: ["jl_" + String(repeating: "a", count: 32), "JL_" + String(repeating: "b", count: 64)]).isEmpty)
    }
}
