import Foundation
import Hummingbird
import JourneyLab
import Postgres

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.yaml`: no key needed.
struct OperationsController {
    let pool: PGPool
    let metrics: ServerMetrics
    let migrator: PGMigrator
    let openAPI: OpenAPIDocument

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("healthz", use: health)
        routes.get("readyz", use: ready)
        routes.get("metrics", use: metricsText)
        routes.get("openapi.yaml", use: openAPIText)
        return routes
    }

    struct Health: Encodable { var status: String }
    struct Readiness: Encodable {
        var ready: Bool
        var database: String
        var pendingMigrations: Int
        enum CodingKeys: String, CodingKey { case ready, database, pendingMigrations = "pending_migrations" }
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        try JSONResponse.make(Health(status: "ok"))
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Response {
        let migrator = self.migrator
        let pending: Int
        do {
            pending = try await pool.withConnection { try migrator.pending($0).count }
        } catch {
            var problem = Problem.unavailable("the database is unreachable")
            problem.ready = false
            throw problem
        }
        guard pending == 0 else {
            var problem = Problem.unavailable("\(pending) migration(s) not applied: run `journeylab db migrate`")
            problem.ready = false
            throw problem
        }
        return try JSONResponse.make(Readiness(ready: true, database: "ok", pendingMigrations: 0))
    }

    @Sendable func metricsText(_ request: Request, context: AppRequestContext) async throws -> Response {
        JSONResponse.raw(Data(metrics.render(pool: pool.usage).utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    @Sendable func openAPIText(_ request: Request, context: AppRequestContext) async throws -> Response {
        JSONResponse.raw(try openAPI.contents(), contentType: "application/yaml")
    }
}
