import JourneyLab
import Postgres
import Synchronization

/// Whether a stage key belongs to some journey, remembered for a short while. Asked only when an assignment
/// joined no hypothesis, to warn about a stage no journey has; a journey imported since is seen within
/// `lifetime`.
final class StageDirectory: Sendable {
    private let pool: PGPool
    private let lifetime: Duration
    /// At most this many keys are remembered (a client sending random stage keys cannot grow it without end).
    private static let capacity = 1_000
    private let cache = Mutex([String: (known: Bool, at: ContinuousClock.Instant)]())

    init(pool: PGPool, lifetime: Duration = .seconds(30)) {
        self.pool = pool
        self.lifetime = lifetime
    }

    func isKnown(_ stage: String) async throws -> Bool {
        let now = ContinuousClock.now
        if let entry = cache.withLock({ $0[stage] }), now - entry.at < lifetime { return entry.known }
        let known = try await pool.withConnection { try JourneyStore.stageExists(stage, $0) }
        cache.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll(keepingCapacity: true) }
            cache[stage] = (known, now)
        }
        return known
    }
}
