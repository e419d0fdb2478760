import Foundation
import Postgres

/// Which database a command uses: `--database-url`, else `JOURNEYLAB_DATABASE_URL`, else the embedded default.
public struct DatabaseLocation: Sendable {
    public let configuration: PGConfiguration
    /// Set when the embedded default cluster is in use.
    public let embedded: EmbeddedDatabase?
    /// True when the embedded cluster was left as it was and is not running (`startingEmbedded: false`).
    public var embeddedIsStopped = false

    /// Resolves (and for the embedded default, creates and starts, unless `startingEmbedded` is false) the database.
    /// - Throws: `JourneyLabError.invalidInput` for a malformed URL; `.unavailable` when the embedded
    ///   cluster cannot start.
    public static func resolve(
        explicitURL: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        startingEmbedded: Bool = true
    ) throws -> DatabaseLocation {
        if let explicitURL, explicitURL.trimmingCharacters(in: .whitespaces).isEmpty {
            // libpq would read an empty string as "every default": a local socket nobody meant.
            throw JourneyLabError.invalid(
                "--database-url is empty: give a URL such as postgresql://user@host/db, or leave the option out for the embedded database",
                field: "--database-url")
        }
        let url = explicitURL ?? environment["JOURNEYLAB_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let url {
            do {
                return DatabaseLocation(configuration: try PGConfiguration(url), embedded: nil)
            } catch let error as PGError {
                throw JourneyLabError.invalid(error.message, field: "--database-url")
            }
        }
        let embedded = EmbeddedDatabase(environment: environment)
        if !startingEmbedded {
            // Looked up even for a stopped cluster, so a missing PostgreSQL or a wrong JOURNEYLAB_PG_BIN is named.
            _ = try EmbeddedDatabase.findServerBinaries(environment: environment)
            if try !embedded.isRunning() {
                var location = DatabaseLocation(configuration: try embedded.configuration, embedded: embedded)
                location.embeddedIsStopped = true
                return location
            }
        }
        return DatabaseLocation(configuration: try embedded.start(), embedded: embedded)
    }
}

/// The schema migrations shipped in `sql/`.
public enum SchemaMigrations {
    /// `JOURNEYLAB_SQL_DIR`, else `sql/` beside a parent of the executable (a build tree or an install
    /// prefix), else the source checkout this binary was built from.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["JOURNEYLAB_SQL_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let manager = FileManager.default
        var candidate = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<6 {
            for relative in ["sql", "share/journeylab/sql"] {
                let sql = candidate.appendingPathComponent(relative)
                if manager.fileExists(atPath: sql.appendingPathComponent("001_schema.sql").path) { return sql }
            }
            candidate = candidate.deletingLastPathComponent()
        }
        // Sources/JourneyLab/Database/DatabaseLocation.swift → repository root.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sql")
    }

    public static func migrator(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PGMigrator {
        let folder = directory(environment: environment)
        let migrations = try PGMigration.load(directory: folder)
        // A folder without migrations would make every database look up to date.
        guard !migrations.isEmpty else {
            throw JourneyLabError.invalid(
                "no migrations (NNN_name.sql files) in \(folder.path): JOURNEYLAB_SQL_DIR should name the repository's sql/ folder, or be unset")
        }
        return PGMigrator(migrations: migrations)
    }
}
