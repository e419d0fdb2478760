import Foundation

/// One numbered SQL file, e.g. `001_schema.sql`.
public struct PGMigration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Reads `NNN_name.sql` files from a directory, in version order.
    /// - Throws: `PGError.client` for a missing directory, a badly named file or a repeated version.
    public static func load(directory: URL) throws -> [PGMigration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw PGError(.client, "cannot read migrations from \(directory.path): set JOURNEYLAB_SQL_DIR to the sql/ folder")
        }
        var migrations: [PGMigration] = []
        for name in names where name.hasSuffix(".sql") {
            let stem = name.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw PGError(.client, "migration file \(name) must be named NNN_description.sql")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            migrations.append(PGMigration(version: version, name: name, sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw PGError(.client, "migrations \(previous.name) and \(next.name) share version \(next.version)")
        }
        return migrations
    }
}

/// Applies migrations in order, each in its own transaction, recording name and checksum in
/// `schema_migrations`. Concurrent migrators serialize on an advisory lock; a file that changed after it
/// was applied is refused.
public struct PGMigrator: Sendable {
    /// A migration's record in the database.
    public struct Applied: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var checksum: String
        public var appliedAt: Date
    }

    public let migrations: [PGMigration]

    /// Arbitrary but fixed: the advisory-lock key all JourneyLab migrators agree on.
    static let lockKey: Int64 = 0x4A4C_4D49_4752  // "JLMIGR"

    public init(migrations: [PGMigration]) { self.migrations = migrations }

    /// Applies what is missing. Returns the names applied now (empty when up to date).
    ///
    /// An up-to-date database is only read (no lock, no DDL), so a role without schema privileges — the
    /// server's role under `journeylab db grant` — passes; one that is behind needs the schema owner.
    /// - Throws: `PGError.client` when an applied file changed; `PGError.insufficientPrivilege` when the
    ///   role may not change the schema; the server's error when a file fails (that file's transaction is
    ///   rolled back, earlier files stay applied).
    public func migrate(_ connection: PGConnection) throws -> [String] {
        if try pendingAfterChecksums(connection).isEmpty { return [] }
        do {
            return try applyPending(connection)
        } catch let error as PGError where error.code == .insufficientPrivilege {
            let role = (try? connection.query("SELECT current_user").scalar(String.self)) ?? "this role"
            throw PGError(
                .insufficientPrivilege,
                "the database role \(role) may not change the schema (\(error.message)): run `journeylab db migrate` as the schema owner, then retry",
                sqlState: error.sqlState, detail: error.detail)
        }
    }

    private func applyPending(_ connection: PGConnection) throws -> [String] {
        try connection.execute("SELECT pg_advisory_lock($1::int8)", [Self.lockKey])
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1::int8)", [Self.lockKey]) }
        if !(try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").scalar(Bool.self)) {
            try connection.simpleQuery(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
        }
        // Read again under the lock: another migrator may have applied some meanwhile.
        var newlyApplied: [String] = []
        for migration in try pendingAfterChecksums(connection) {
            let checksum = try Self.checksum(migration.sql, connection)
            try connection.withTransaction { connection in
                try connection.simpleQuery(migration.sql)
                try connection.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1::int4, $2, $3)",
                    [migration.version, migration.name, checksum])
            }
            newlyApplied.append(migration.name)
        }
        return newlyApplied
    }

    /// The files not applied yet, after checking that every applied one is unchanged.
    private func pendingAfterChecksums(_ connection: PGConnection) throws -> [PGMigration] {
        let state = try inspect(connection)
        if let changed = state.changed.first {
            throw PGError(
                .client,
                "migration \(changed.name) changed after it was applied (stored checksum \(changed.stored.prefix(12)), file \(changed.file.prefix(12))): restore the file and put the change in a new numbered migration"
            )
        }
        return state.pending
    }

    /// What `inspect` finds: the database's records, the files not applied yet, and applied files that changed.
    public struct State: Sendable {
        public struct Changed: Sendable, Equatable {
            public var name: String
            public var stored: String
            public var file: String
        }
        public var applied: [Applied]
        public var pending: [PGMigration]
        public var changed: [Changed]
    }

    /// Compares the files with the database without changing anything (for `journeylab db status`).
    public func inspect(_ connection: PGConnection) throws -> State {
        let applied = try appliedMigrations(connection)
        let byVersion = Dictionary(uniqueKeysWithValues: applied.map { ($0.version, $0) })
        var pending: [PGMigration] = []
        var changed: [State.Changed] = []
        for migration in migrations {
            guard let record = byVersion[migration.version] else {
                pending.append(migration)
                continue
            }
            let checksum = try Self.checksum(migration.sql, connection)
            if record.checksum != checksum {
                changed.append(.init(name: migration.name, stored: record.checksum, file: checksum))
            }
        }
        return State(applied: applied, pending: pending, changed: changed)
    }

    /// The migrations recorded in the database (empty before the first run).
    public func appliedMigrations(_ connection: PGConnection) throws -> [Applied] {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").scalar(Bool.self)
        guard exists else { return [] }
        return try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
            .rows {
                Applied(
                    version: try $0.decode(Int.self, 0), name: try $0.decode(String.self, 1),
                    checksum: try $0.decode(String.self, 2), appliedAt: try $0.decode(Date.self, 3))
            }
    }

    /// Files not yet applied.
    public func pending(_ connection: PGConnection) throws -> [PGMigration] {
        let done = Set(try appliedMigrations(connection).map(\.version))
        return migrations.filter { !done.contains($0.version) }
    }

    /// SHA-256 of the file, computed by the server so the module needs no crypto dependency.
    static func checksum(_ sql: String, _ connection: PGConnection) throws -> String {
        try connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", [sql]).scalar(String.self)
    }
}
