import Foundation
import Hummingbird
import JourneyLab
import Postgres
import Synchronization

/// Requires `Authorization: Bearer <key>` on `/v1` and `/reports` and puts the verified `Principal` in the
/// context. Missing, unknown or revoked keys get 401; what a role may do is checked by the controllers (403).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let verifier: KeyVerifier
    let metrics: ServerMetrics

    static func isProtected(_ path: String) -> Bool {
        path == "/v1" || path.hasPrefix("/v1/") || path == "/reports" || path.hasPrefix("/reports/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isProtected(request.uri.path) else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            metrics.recordKeyRejection("missing")
            throw Problem.unauthorized("missing API key: send Authorization: Bearer <key>")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            metrics.recordKeyRejection("malformed")
            throw Problem.unauthorized("the Authorization header must be: Bearer <key>")
        }
        switch try await verifier.verify(String(parts[1]).trimmingCharacters(in: .whitespaces)) {
        case .valid(let principal):
            var context = context
            context.principal = principal
            context.logger[metadataKey: "key_id"] = .string(principal.keyID)
            return try await next(request, context)
        case .revoked:
            metrics.recordKeyRejection("revoked")
            throw Problem.unauthorized("this API key was revoked: ask an administrator for a new one")
        case .unknown:
            metrics.recordKeyRejection("unknown")
            throw Problem.unauthorized("unknown API key")
        }
    }
}

/// Verifies secrets against `api_keys`, optionally remembering answers for a short time so a busy dealer
/// does not cost one extra query per request. The cache is keyed by the secret's SHA-256, never the secret.
final class KeyVerifier: Sendable {
    let pool: PGPool
    let ttl: Duration
    private let cache = Mutex([String: (APIKeys.Verification, ContinuousClock.Instant)]())

    init(pool: PGPool, ttl: Duration) {
        self.pool = pool
        self.ttl = ttl
    }

    func verify(_ secret: String) async throws -> APIKeys.Verification {
        guard APIKeys.isWellFormed(secret) else { return .unknown }
        let now = ContinuousClock.now
        let hash = ttl > .zero ? APIKeys.hash(secret) : ""
        if ttl > .zero, let entry = cache.withLock({ $0[hash] }), entry.1 > now { return entry.0 }
        let answer = try await pool.withConnection { try APIKeys.verify(secret: secret, $0) }
        if ttl > .zero {
            cache.withLock { cache in
                if cache.count > 10_000 { cache.removeAll() }
                cache[hash] = (answer, now + ttl)
            }
        }
        return answer
    }
}
