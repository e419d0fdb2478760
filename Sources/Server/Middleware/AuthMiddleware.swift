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
    var limiter: KeyRateLimiter? = nil

    static func isProtected(_ path: String) -> Bool {
        // The router reads `//v1/…` as `/v1/…`, so this check must too (or a valid key is never read).
        var path = Substring(path)
        while path.hasPrefix("//") { path = path.dropFirst() }
        return path == "/v1" || path.hasPrefix("/v1/") || path == "/reports" || path.hasPrefix("/reports/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isProtected(request.uri.path) else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            metrics.recordKeyRejection("missing")
            throw Problem.unauthorized("missing API key: send Authorization: Bearer <key>")
        }
        // Counted without building an array: this runs on every request.
        guard request.headers.lazy.filter({ $0.name == .authorization }).count == 1 else {
            metrics.recordKeyRejection("malformed")
            throw Problem.unauthorized("send exactly one Authorization header: Bearer <key>")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            metrics.recordKeyRejection("malformed")
            throw Problem.unauthorized("the Authorization header must be: Bearer <key>")
        }
        switch try await verifier.verify(parts[1].trimmingHTTPWhitespace()) {
        case .valid(let principal):
            if let limiter, let wait = limiter.take(principal.keyID) {
                metrics.recordKeyRejection("rate_limited")
                var problem = Problem(.tooManyRequests, "rate limit of this API key exceeded: retry after \(wait) s")
                problem.headers[.retryAfter] = String(wait)
                throw problem
            }
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

/// A token bucket per API key: `rate` requests per second, bursts up to twice that (at least 1).
final class KeyRateLimiter: Sendable {
    let rate: Double
    let burst: Double
    private let buckets = Mutex([String: (tokens: Double, at: ContinuousClock.Instant)]())

    init(rate: Double) {
        self.rate = rate
        self.burst = max(1, rate * 2)
    }

    /// Takes one token for `keyID`; nil if allowed, else the whole seconds to wait (at least 1).
    func take(_ keyID: String) -> Int? {
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            if buckets.count > 100_000 { buckets.removeAll() }
            var bucket = buckets[keyID] ?? (tokens: burst, at: now)
            let elapsed = now - bucket.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * rate)
            bucket.at = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                buckets[keyID] = bucket
                return nil
            }
            buckets[keyID] = bucket
            // Capped at a day: a tiny rate would otherwise overflow Int (and no client waits longer anyway).
            return max(1, Int(min(86_400, ((1 - bucket.tokens) / rate).rounded(.up))))
        }
    }
}
