import ArgumentParser
import Foundation
import JourneyLab
import Postgres

/// `journeylab db migrate | status | grant ROLE | start | stop`.
struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract:
            "Manage the database: apply migrations, show status, grant the server's role, start or stop the embedded cluster.",
        subcommands: [Migrate.self, Status.self, Grant.self, Start.self, Stop.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply the migrations in sql/ that are not applied yet.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            let migrator = try SchemaMigrations.migrator()
            let applied = try await withPool(database, size: 1, migrate: false) { pool in
                try await pool.withConnection { try migrator.migrate($0) }
            }
            struct Report: Encodable { var applied: [String] }
            if format == .json { return try Output.json(Report(applied: applied)) }
            Output.line(applied.isEmpty ? "Up to date: no migration to apply." : "Applied: " + applied.joined(separator: ", "))
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the database URL (without password), server version and migrations; changes nothing.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            // A stopped embedded cluster is reported as such, not started: status changes nothing.
            let location = try database.location(startingEmbedded: false)
            let migrator = try SchemaMigrations.migrator()
            struct Report: Encodable, Sendable {
                var url: String
                var embedded: Bool
                /// False only for an embedded cluster that is stopped (or not created yet); then the fields
                /// below the paths are null.
                var running = true
                var dataDirectory: String?
                var socketDirectory: String?
                var log: String?
                var serverVersion: String?
                var applied: [String]?
                var pending: [String]?
                /// Applied files whose text differs from what was applied.
                var changed: [String]?

                func encode(to encoder: any Encoder) throws {
                    // Every key always present (null when unknown), so a script reads one shape.
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    try container.encode(url, forKey: .url)
                    try container.encode(embedded, forKey: .embedded)
                    try container.encode(running, forKey: .running)
                    try container.encode(dataDirectory, forKey: .dataDirectory)
                    try container.encode(socketDirectory, forKey: .socketDirectory)
                    try container.encode(log, forKey: .log)
                    try container.encode(serverVersion, forKey: .serverVersion)
                    try container.encode(applied, forKey: .applied)
                    try container.encode(pending, forKey: .pending)
                    try container.encode(changed, forKey: .changed)
                }
                enum CodingKeys: String, CodingKey {
                    case url, embedded, running, dataDirectory, socketDirectory, log, serverVersion, applied, pending, changed
                }
            }
            if let embedded = location.embedded, location.embeddedIsStopped {
                let created = FileManager.default.fileExists(atPath: embedded.dataDirectory.appendingPathComponent("PG_VERSION").path)
                let report = Report(
                    url: location.configuration.description, embedded: true, running: false,
                    dataDirectory: embedded.dataDirectory.path, socketDirectory: embedded.socketDirectory.path,
                    log: embedded.logFile.path)
                if format == .json { return try Output.json(report) }
                Output.line("database:   \(report.url) (embedded, \(created ? "stopped" : "not created yet"))")
                Output.line("data:       \(embedded.dataDirectory.path)")
                Output.line("log:        \(embedded.logFile.path)")
                Output.line("`journeylab db start` \(created ? "starts" : "creates and starts") it (as does any command that uses it).")
                return
            }
            let report = try await withPool(location.configuration) { pool in
                try await pool.withConnection { connection -> Report in
                    let version = try connection.query("SHOW server_version").scalar(String.self)
                    let state = try migrator.inspect(connection)
                    return Report(
                        url: location.configuration.description, embedded: location.embedded != nil,
                        dataDirectory: location.embedded?.dataDirectory.path,
                        socketDirectory: location.embedded?.socketDirectory.path,
                        log: location.embedded?.logFile.path,
                        serverVersion: version, applied: state.applied.map(\.name), pending: state.pending.map(\.name),
                        changed: state.changed.map(\.name))
                }
            }
            if format == .json { return try Output.json(report) }
            Output.line("database:   \(report.url)\(report.embedded ? " (embedded)" : "")")
            if let directory = report.dataDirectory { Output.line("data:       \(directory)") }
            if let directory = report.socketDirectory { Output.line("socket:     \(directory)") }
            if let log = report.log { Output.line("log:        \(log)") }
            let (applied, pending, changed) = (report.applied ?? [], report.pending ?? [], report.changed ?? [])
            Output.line("server:     PostgreSQL \(report.serverVersion ?? "?")")
            Output.line(
                "migrations: \(applied.count) applied" + (pending.isEmpty ? "" : ", \(pending.count) pending")
                    + (changed.isEmpty ? "" : ", \(changed.count) changed since applied"))
            for name in applied { Output.line("  ✓ \(name)" + (changed.contains(name) ? "  (file changed since)" : "")) }
            for name in pending { Output.line("  … \(name)") }
            if !pending.isEmpty { Output.line("Apply the pending ones with `journeylab db migrate` (as the schema owner).") }
            if !changed.isEmpty {
                Output.line("Restore the changed files and put the change in a new numbered migration: `db migrate` refuses them.")
            }
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give an existing login role exactly the privileges `journeylab serve` needs (run as the schema owner).",
            discussion: """
                Revokes everything ROLE had on the database, the schema and its tables, sequences and functions, \
                then grants CONNECT, USAGE on the schema, SELECT where the server reads, INSERT/UPDATE only on the \
                columns it writes: no DELETE, TRUNCATE, schema changes, API-key or migration writes. Safe to run \
                again (it also removes privileges added by hand). Then serve with \
                `journeylab serve --no-migrate --database-url URL-of-ROLE`.
                """)
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The server's login role (create it first, e.g. `createuser journeylab_app`).") var role: String
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func validate() throws {
            if role.isEmpty || role.utf8.count > 63 { throw ValidationError("ROLE must be a role name of 1 to 63 bytes") }
        }

        func run() async throws {
            let role = self.role
            // Migrating first: the grants name the current tables, and only the owner may migrate.
            let location = try database.location()
            let report = try await withPool(database, size: 1) { pool in
                try await pool.withConnection { try ApplicationRole.grant(to: role, $0) }
            }
            if format == .json { return try Output.json(report) }
            Output.line("Granted \(report.role) what `journeylab serve` needs on database \(report.database), schema \(report.schema),")
            Output.line("after revoking everything it had there:")
            Output.line("  CONNECT on database \(report.database); USAGE on schema \(report.schema)")
            for privilege in report.privileges {
                let columns = privilege.columns.map { " (" + $0.joined(separator: ", ") + ")" } ?? ""
                Output.line("  \(privilege.kind.rawValue)\(columns) on \(privilege.object) — \(privilege.reason)")
            }
            Output.line("Nothing else: no DELETE, TRUNCATE, schema changes, API-key or migration writes.")
            Output.line(
                "Run the server as \(report.role) (add password=… if it has one): journeylab serve --no-migrate --database-url '\(location.configuration.conninfo(asUser: report.role).replacingOccurrences(of: "'", with: "'\\''"))'"
            )
        }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the embedded PostgreSQL cluster (creating it on first use) and bring its schema up to date.",
            discussion: "Every command does this when it needs the database; after `db stop`, this brings a running server's database back.")
        @OptionGroup var database: UnusedDatabaseOption
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            if database.databaseURL != nil {
                Output.note("note: db start starts only the embedded cluster; the server of --database-url is not touched")
            }
            // The embedded cluster even when JOURNEYLAB_DATABASE_URL names another server.
            let embedded = EmbeddedDatabase()
            let migrator = try SchemaMigrations.migrator()
            let applied = try await withPool(try embedded.start()) { pool in
                try await pool.withConnection { try migrator.migrate($0) }
            }
            struct Report: Encodable { var running: Bool; var home: String; var applied: [String] }
            if format == .json { return try Output.json(Report(running: true, home: embedded.home.path, applied: applied)) }
            Output.line(
                "The embedded database in \(embedded.home.path) is running"
                    + (applied.isEmpty ? "." : "; applied " + applied.joined(separator: ", ") + "."))
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded PostgreSQL cluster.")
        @OptionGroup var database: UnusedDatabaseOption
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            if database.databaseURL != nil {
                Output.note("note: db stop stops only the embedded cluster; the server of --database-url is left running")
            }
            let embedded = EmbeddedDatabase()
            let stopped = try embedded.stop()
            struct Report: Encodable { var stopped: Bool; var home: String }
            if format == .json { return try Output.json(Report(stopped: stopped, home: embedded.home.path)) }
            Output.line(stopped ? "Stopped the embedded database in \(embedded.home.path)." : "The embedded database in \(embedded.home.path) was not running.")
        }
    }
}
