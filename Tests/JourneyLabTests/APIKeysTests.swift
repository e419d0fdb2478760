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

    @Test("role and dealer must fit; unknown ids are not found")
    func validation() throws {
        let connection = try TestDatabase.create().connect()
        #expect(throws: JourneyLabError.self) { try APIKeys.create(role: .dealer, dealerID: nil, name: "x", actor: "t", connection) }
        #expect(throws: JourneyLabError.self) { try APIKeys.create(role: .admin, dealerID: "d", name: "x", actor: "t", connection) }
        #expect(throws: JourneyLabError.self) { try APIKeys.create(role: .admin, dealerID: nil, name: " ", actor: "t", connection) }
        #expect(throws: JourneyLabError.self) { try APIKeys.revoke("key_nope", actor: "t", connection) }
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
}
