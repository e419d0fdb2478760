import ArgumentParser
import JourneyLab
import Logging
import Postgres

/// `--database-url`, shared by every command that touches the database.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL URL or conninfo (default: $JOURNEYLAB_DATABASE_URL, else the embedded cluster).",
            valueName: "url"))
    var databaseURL: String?

    /// Resolves the database (starting the embedded one if needed, unless told not to) without connecting.
    func location(startingEmbedded: Bool = true) throws -> DatabaseLocation {
        try DatabaseLocation.resolve(explicitURL: databaseURL, startingEmbedded: startingEmbedded)
    }

    /// Opens a pool on a migrated database.
    func openPool(size: Int = 4, migrate: Bool = true) async throws -> PGPool {
        let location = try location()
        let pool = PGPool(configuration: location.configuration, options: .init(size: size))
        if migrate {
            let migrator = try SchemaMigrations.migrator()
            do {
                _ = try await pool.withConnection { try migrator.migrate($0) }
            } catch {
                await pool.shutdown()
                throw error
            }
        }
        return pool
    }
}

/// Runs `body` with a pool and always shuts the pool down.
func withPool<T: Sendable>(
    _ options: DatabaseOptions, size: Int = 4, migrate: Bool = true, _ body: (PGPool) async throws -> T
) async throws -> T {
    try await withPool(try await options.openPool(size: size, migrate: migrate), body)
}

/// Runs `body` with a pool on `configuration` as it is (no migration) and always shuts the pool down.
func withPool<T: Sendable>(
    _ configuration: PGConfiguration, size: Int = 1, _ body: (PGPool) async throws -> T
) async throws -> T {
    try await withPool(PGPool(configuration: configuration, options: .init(size: size)), body)
}

private func withPool<T: Sendable>(_ pool: PGPool, _ body: (PGPool) async throws -> T) async throws -> T {
    do {
        let value = try await body(pool)
        await pool.shutdown()
        return value
    } catch {
        await pool.shutdown()
        throw error
    }
}
