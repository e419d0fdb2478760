import Foundation
import JourneyLab
import Postgres

/// A fresh, migrated database on the throwaway cluster that `scripts/test.sh` starts.
///
/// Each test gets its own database, so tests run in parallel without seeing each other's rows. Without
/// `JOURNEYLAB_TEST_DATABASE_URL` the test fails (it is never silently skipped).
public struct TestDatabase: Sendable {
    public let name: String
    public let configuration: PGConfiguration

    public init(name: String, configuration: PGConfiguration) {
        self.name = name
        self.configuration = configuration
    }

    /// The maintenance database of the test cluster.
    public static func serverConfiguration() throws -> PGConfiguration {
        guard let url = ProcessInfo.processInfo.environment["JOURNEYLAB_TEST_DATABASE_URL"], !url.isEmpty else {
            throw JourneyLabError(
                .unavailable, "JOURNEYLAB_TEST_DATABASE_URL is not set: run the tests through scripts/test.sh")
        }
        return try PGConfiguration(url)
    }

    /// Creates an empty database and, unless told otherwise, applies the migrations in `sql/`.
    public static func create(migrated: Bool = true) throws -> TestDatabase {
        let server = try serverConfiguration()
        let name = "jl_test_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let admin = try PGConnection(configuration: server)
        try admin.simpleQuery("CREATE DATABASE \(name)")
        let configuration = try server.adding(["dbname": name])
        let database = TestDatabase(name: name, configuration: configuration)
        if migrated {
            let connection = try database.connect()
            _ = try SchemaMigrations.migrator().migrate(connection)
        }
        return database
    }

    /// A direct connection (blocking: use in synchronous test code or inside the pool's closures).
    public func connect() throws -> PGConnection { try PGConnection(configuration: configuration) }

    /// A pool on this database. The acquire timeout is generous: at the start of a cold run every suite creates
    /// its databases at once and a first connection can wait half a minute (a fresh-clone CI run saw 64 short
    /// statements over 4 connections time out at 10 s); tests of the timeout itself pass their own.
    public func pool(size: Int = 4, acquireTimeout: Duration = .seconds(60), eventLoops: Int = 1) -> PGPool {
        PGPool(configuration: configuration, options: .init(size: size, acquireTimeout: acquireTimeout, eventLoops: eventLoops))
    }

    /// The throwaway cluster's control: its data directory and binaries (for restart tests).
    public static var cluster: ThrowawayCluster? {
        let environment = ProcessInfo.processInfo.environment
        guard let data = environment["JOURNEYLAB_TEST_PGDATA"], let bin = environment["JOURNEYLAB_TEST_PG_BIN"] else {
            return nil
        }
        return ThrowawayCluster(
            dataDirectory: data, binDirectory: bin, options: environment["JOURNEYLAB_TEST_PG_OPTIONS"] ?? "")
    }
}

/// Restarts the test cluster (as the `postgres` user when running as root).
public struct ThrowawayCluster: Sendable {
    public let dataDirectory: String
    public let binDirectory: String
    public let options: String

    /// `pg_ctl restart -m fast`, waiting until it accepts connections again.
    public func restart() throws {
        try pgctl(["-D", dataDirectory, "-m", "fast", "-o", options, "-w", "-t", "60", "restart"])
    }

    public func stop() throws { try pgctl(["-D", dataDirectory, "-m", "fast", "-w", "stop"]) }

    public func start() throws {
        try pgctl(["-D", dataDirectory, "-o", options, "-l", dataDirectory + "/../postgres.log", "-w", "-t", "60", "start"])
    }

    private func pgctl(_ arguments: [String]) throws {
        let command = binDirectory + "/pg_ctl"
        let (executable, fullArguments) =
            geteuid() == 0 ? ("/usr/sbin/runuser", ["-u", "postgres", "--", command] + arguments) : (command, arguments)
        // Subprocess, not Foundation's Process: the server pg_ctl starts would keep Process waiting.
        let result = try Subprocess.run(URL(fileURLWithPath: executable), fullArguments)
        guard result.status == 0 else {
            throw JourneyLabError(.unavailable, "pg_ctl \(arguments.last ?? "") failed: \(result.output)")
        }
    }
}
