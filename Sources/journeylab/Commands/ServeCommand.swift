import ArgumentParser
import Foundation
import Hummingbird
import JourneyLab
import Logging
import Postgres
import Server
import ServiceLifecycle

/// `journeylab serve`: the dealer HTTP API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API (assignments, events, hypotheses, reports, metrics).",
        discussion: """
            Flags override JOURNEYLAB_HOST, JOURNEYLAB_PORT, JOURNEYLAB_POOL_SIZE, JOURNEYLAB_TICK_INTERVAL, \
            JOURNEYLAB_KEY_CACHE_SECONDS and JOURNEYLAB_MIGRATE_ON_START; JOURNEYLAB_RATE_LIMIT and JOURNEYLAB_LOG_LEVEL \
            apply too. SIGTERM or SIGINT: in-flight requests finish, then the database pool closes. \
            With a least-privilege role (`journeylab db grant ROLE`) use --no-migrate: the schema owner runs \
            `journeylab db migrate`, and /readyz answers 503 while migrations are pending.
            """)
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(parsing: .unconditional, help: "Port (default 8080; 0 picks a free one).") var port: Int?
    @Option(parsing: .unconditional, help: "Database connections (default 16).") var poolSize: Int?
    @Option(parsing: .unconditional, help: "Seconds between lifecycle ticks (default 60).") var tickInterval: Double?
    @Option(parsing: .unconditional, help: "Seconds a verified API key is trusted without a lookup (default 0).") var keyCacheSeconds: Double?
    @Flag(help: "Do not apply migrations at start (for a role without DDL rights; see `journeylab db grant`).")
    var noMigrate = false

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0–65535") }
        if let poolSize, !(1...512).contains(poolSize) { throw ValidationError("--pool-size must be 1–512") }
        if let tickInterval, !(tickInterval > 0 && tickInterval <= 86_400) {
            throw ValidationError("--tick-interval must be seconds in (0, 86400]")
        }
        if let keyCacheSeconds, !(0...3600).contains(keyCacheSeconds) {
            throw ValidationError("--key-cache-seconds must be 0–3600")
        }
    }

    func run() async throws {
        let location = try database.location()
        var configuration = ServerConfiguration(database: location.configuration)
        try configuration.apply(environment: ProcessInfo.processInfo.environment)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let poolSize { configuration.poolSize = poolSize }
        if let tickInterval { configuration.tickInterval = .milliseconds(Int64(tickInterval * 1000)) }
        if let keyCacheSeconds { configuration.keyCacheTTL = .milliseconds(Int64(keyCacheSeconds * 1000)) }
        if noMigrate { configuration.migrateOnStart = false }
        let logLevel = configuration.logLevel
        LoggingSystem.bootstrap { label in TextLogHandler(label: label, level: logLevel) }
        // The lifecycle ticker gets its own connection, so a busy API never delays a move.
        let tickerPool = PGPool(configuration: location.configuration, options: .init(size: 1))
        let services: [any Service] = [
            LifecycleTickerService(
                pool: tickerPool, interval: configuration.tickInterval, logger: Logger(label: "journeylab.scheduler"))
        ]
        let app = try await buildApplication(configuration, extraServices: services)
        do {
            try await app.runService()
        } catch {
            await tickerPool.shutdown()
            throw configuration.explainingListenFailure(error)
        }
        await tickerPool.shutdown()
    }
}
