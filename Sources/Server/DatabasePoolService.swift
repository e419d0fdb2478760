import Postgres
import ServiceLifecycle

/// Owns the pool's lifetime in the service group: runs until graceful shutdown, then closes the pool
/// (after the HTTP server, which shuts down first and drains in-flight requests).
struct DatabasePoolService: Service {
    let pool: PGPool

    func run() async throws {
        try? await gracefulShutdown()
        await pool.shutdown()
    }
}
