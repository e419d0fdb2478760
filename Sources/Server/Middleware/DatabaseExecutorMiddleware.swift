import Hummingbird
import Postgres

/// Runs request handlers on the database pool's threads (`PGPool.executor`).
///
/// Nearly every route talks to PostgreSQL through blocking libpq calls, which must run on the pool's threads.
/// Started there, a handler makes those calls inline instead of hopping to a pool thread and back for each
/// one: two thread wake-ups fewer per statement, which on a small machine is a large share of a request.
struct DatabaseExecutorMiddleware<Context: RequestContext>: RouterMiddleware {
    let executor: PGThreadExecutor

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withTaskExecutorPreference(executor) { try await next(request, context) }
    }
}
