import Foundation
import JourneyLab
import Logging
import Postgres

/// Everything `buildApplication` needs; from flags and `JOURNEYLAB_*` environment variables.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    public var database: PGConfiguration
    public var poolSize: Int
    /// How long a request waits for a database connection before 503.
    public var acquireTimeout: Duration
    /// How often the lifecycle ticker runs.
    public var tickInterval: Duration
    /// How long a verified API key is trusted without asking the database again (0: always ask, so a
    /// revocation takes effect at once).
    public var keyCacheTTL: Duration
    public var logLevel: Logger.Level
    /// Requests per second each API key may make (bursts up to twice that); beyond it 429 with
    /// `Retry-After`. 0: no limit (the default).
    public var rateLimit: Double = 0
    /// Renders the report endpoints; nil uses the evaluator (`EvaluatorReportProvider`).
    public var reportProvider: (any ReportProvider)?
    /// Apply pending migrations before the server starts accepting requests. false (`serve --no-migrate`,
    /// `JOURNEYLAB_MIGRATE_ON_START=false`) for a role without DDL rights (`journeylab db grant`): the server
    /// then only checks, and `/readyz` answers 503 while migrations are pending.
    public var migrateOnStart: Bool
    /// A connection with nothing arriving (idle keep-alive, or a request stalled mid-way) is closed after this
    /// long, and a request still arriving this long after its first bytes (headers) or its headers (body) is
    /// answered 408 and its connection closed, so clients that open connections and send nothing, or a byte at a
    /// time, cannot exhaust the server's file descriptors. `JOURNEYLAB_IDLE_TIMEOUT` (seconds).
    public var idleTimeout: Duration = .seconds(60)

    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: PGConfiguration, poolSize: Int = 16,
        acquireTimeout: Duration = .seconds(2), tickInterval: Duration = .seconds(60), keyCacheTTL: Duration = .zero,
        logLevel: Logger.Level = .info, reportProvider: (any ReportProvider)? = nil, migrateOnStart: Bool = true
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.poolSize = poolSize
        self.acquireTimeout = acquireTimeout
        self.tickInterval = tickInterval
        self.keyCacheTTL = keyCacheTTL
        self.logLevel = logLevel
        self.reportProvider = reportProvider
        self.migrateOnStart = migrateOnStart
    }

    /// Reads `JOURNEYLAB_HOST`, `JOURNEYLAB_PORT`, `JOURNEYLAB_POOL_SIZE`, `JOURNEYLAB_TICK_INTERVAL` (seconds),
    /// `JOURNEYLAB_KEY_CACHE_SECONDS`, `JOURNEYLAB_RATE_LIMIT`, `JOURNEYLAB_MIGRATE_ON_START` (true/false),
    /// `JOURNEYLAB_IDLE_TIMEOUT` (seconds) and `JOURNEYLAB_LOG_LEVEL` over the defaults.
    /// - Throws: `JourneyLabError.invalidInput` naming the variable with a bad value.
    public mutating func apply(environment: [String: String]) throws {
        if let host = environment["JOURNEYLAB_HOST"], !host.isEmpty { self.host = host }
        if let text = environment["JOURNEYLAB_IDLE_TIMEOUT"], !text.isEmpty {
            guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
                throw JourneyLabError.invalid("JOURNEYLAB_IDLE_TIMEOUT=\(text) must be seconds in (0, 3600]")
            }
            idleTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let text = environment["JOURNEYLAB_PORT"], !text.isEmpty {
            guard let port = Int(text), (0...65535).contains(port) else {
                throw JourneyLabError.invalid("JOURNEYLAB_PORT=\(text) must be a port number 0–65535")
            }
            self.port = port
        }
        if let text = environment["JOURNEYLAB_POOL_SIZE"], !text.isEmpty {
            guard let size = Int(text), (1...512).contains(size) else {
                throw JourneyLabError.invalid("JOURNEYLAB_POOL_SIZE=\(text) must be 1–512")
            }
            poolSize = size
        }
        if let text = environment["JOURNEYLAB_TICK_INTERVAL"], !text.isEmpty {
            guard let seconds = Double(text), seconds > 0, seconds <= 86_400 else {
                throw JourneyLabError.invalid("JOURNEYLAB_TICK_INTERVAL=\(text) must be seconds in (0, 86400]")
            }
            tickInterval = .milliseconds(Int64(seconds * 1000))
        }
        if let text = environment["JOURNEYLAB_KEY_CACHE_SECONDS"], !text.isEmpty {
            guard let seconds = Double(text), seconds >= 0, seconds <= 3600 else {
                throw JourneyLabError.invalid("JOURNEYLAB_KEY_CACHE_SECONDS=\(text) must be seconds in [0, 3600]")
            }
            keyCacheTTL = .milliseconds(Int64(seconds * 1000))
        }
        if let text = environment["JOURNEYLAB_RATE_LIMIT"], !text.isEmpty {
            guard let rate = Double(text), rate >= 0, rate <= 1_000_000 else {
                throw JourneyLabError.invalid("JOURNEYLAB_RATE_LIMIT=\(text) must be requests per second per key in [0, 1000000] (0: no limit)")
            }
            rateLimit = rate
        }
        if let text = environment["JOURNEYLAB_MIGRATE_ON_START"], !text.isEmpty {
            switch text.lowercased() {
            case "true", "1", "yes", "on": migrateOnStart = true
            case "false", "0", "no", "off": migrateOnStart = false
            default: throw JourneyLabError.invalid("JOURNEYLAB_MIGRATE_ON_START=\(text) must be true or false")
            }
        }
        if let text = environment["JOURNEYLAB_LOG_LEVEL"], !text.isEmpty {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw JourneyLabError.invalid("JOURNEYLAB_LOG_LEVEL=\(text) must be trace, debug, info, notice, warning, error or critical")
            }
            logLevel = level
        }
    }
}
