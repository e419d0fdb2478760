import Foundation
import Hummingbird
import JourneyLab
import Logging
import NIOCore
import Postgres
import ServiceLifecycle

/// The composition root: builds the pool, the domain services, the router and the application.
///
/// ```swift
/// let app = try await buildApplication(ServerConfiguration(port: 0, database: configuration))
/// try await app.runService()  // SIGTERM/SIGINT: drain requests, then close the pool
/// ```
/// - Parameters:
///   - configuration: host, port, pool and behaviour.
///   - extraServices: long-running services to run beside the server (the lifecycle ticker).
///   - onServerRunning: called with the bound port once the server listens (useful with port 0).
/// - Returns: the application, not yet running.
public func buildApplication(
    _ configuration: ServerConfiguration, extraServices: [any Service] = [],
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "journeylab.server")
    logger.logLevel = configuration.logLevel
    let pool = PGPool(
        configuration: configuration.database,
        options: .init(size: configuration.poolSize, acquireTimeout: configuration.acquireTimeout), logger: logger)
    let migrator = try SchemaMigrations.migrator()
    let router = buildRouter(configuration, pool: pool, migrator: migrator)
    var app = Application(
        responder: HeadAsGetResponder(routes: router.buildResponder()),
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [HTTPConnectionFaultHandler(readTimeout: TimeAmount(configuration.idleTimeout))],
                idleTimeout: TimeAmount(configuration.idleTimeout))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "journeylab"),
        services: [DatabasePoolService(pool: pool)] + extraServices,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
    let startupLogger = logger
    if configuration.migrateOnStart {
        app.beforeServerStarts {
            let applied = try await pool.withConnection { try migrator.migrate($0) }
            if !applied.isEmpty { startupLogger.info("applied migrations", metadata: ["migrations": "\(applied)"]) }
        }
    } else {
        // The schema owner migrates; this role may not. Say so at start; /readyz keeps answering 503 until then.
        app.beforeServerStarts {
            do {
                let pending = try await pool.withConnection { try migrator.pending($0) }
                if !pending.isEmpty {
                    startupLogger.warning(
                        "the database schema is behind this server: /readyz answers 503 until the schema owner runs `journeylab db migrate`",
                        metadata: ["pending_migrations": "\(pending.map(\.name).joined(separator: ", "))"])
                }
            } catch {
                startupLogger.warning("cannot check the schema version yet", metadata: ["error": "\(error)"])
            }
        }
    }
    return app
}

/// The routes and middleware, for `buildApplication` and for router-level tests.
func buildRouter(_ configuration: ServerConfiguration, pool: PGPool, migrator: PGMigrator) -> Router<AppRequestContext> {
    let metrics = ServerMetrics()
    let reports: any ReportProvider = configuration.reportProvider ?? EvaluatorReportProvider(pool: pool)
    let router = Router(context: AppRequestContext.self)
    let routeMethods = RouteMethods()
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics, routes: routeMethods))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware(routes: routeMethods))
    router.add(middleware: AuthMiddleware(verifier: KeyVerifier(pool: pool, ttl: configuration.keyCacheTTL), metrics: metrics,
                                         limiter: configuration.rateLimit > 0 ? KeyRateLimiter(rate: configuration.rateLimit) : nil))

    router.addRoutes(
        OperationsController(pool: pool, metrics: metrics, migrator: migrator, openAPI: OpenAPIDocument()).endpoints)
    router.addRoutes(
        AssignmentController(scheduler: Scheduler(pool: pool), pool: pool, metrics: metrics, stages: StageDirectory(pool: pool)).endpoints, atPath: "/v1/assignments")
    router.addRoutes(
        EventController(ingestor: EventIngestor(pool: pool), metrics: metrics).endpoints, atPath: "/v1/events")
    router.addRoutes(
        HypothesisController(pool: pool, reports: reports).endpoints, atPath: "/v1/hypotheses")
    router.addRoutes(ReportPageController(reports: reports).endpoints, atPath: "/reports")
    routeMethods.set(router.routes)
    return router
}
