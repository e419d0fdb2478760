import Foundation
import JourneyLab
import Postgres

/// A database owned by a fresh non-superuser owner role (which migrated it, as `journeylab db migrate` would)
/// plus a fresh login role for the server, on the throwaway cluster. Roles are cluster-wide, so both get
/// unique names; `drop()` removes the database and both roles.
public struct TestRoles: Sendable {
    /// The schema owner and migration role.
    public let owner: String
    /// The server's role, before any grant: it can only connect.
    public let app: String
    /// The database, connected as the owner.
    public let database: TestDatabase
    /// The same database, connected as the app role (trust authentication on the test cluster).
    public let appConfiguration: PGConfiguration

    /// Creates both roles and the database, and migrates it as the owner.
    public static func create() throws -> TestRoles {
        let server = try TestDatabase.serverConfiguration()
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let (owner, app, name) = ("jl_owner_" + suffix, "jl_app_" + suffix, "jl_roles_" + suffix)
        let admin = try PGConnection(configuration: server)
        // Generated names of [a-z0-9_] only, so they need no quoting.
        try admin.simpleQuery("CREATE ROLE \(owner) LOGIN; CREATE ROLE \(app) LOGIN")
        try admin.simpleQuery("CREATE DATABASE \(name) OWNER \(owner)")
        let roles = TestRoles(
            owner: owner, app: app,
            database: TestDatabase(name: name, configuration: try server.adding(["dbname": name, "user": owner])),
            appConfiguration: try server.adding(["dbname": name, "user": app]))
        _ = try SchemaMigrations.migrator().migrate(try roles.database.connect())
        return roles
    }

    /// A direct connection as the app role.
    public func connectAsApp() throws -> PGConnection { try PGConnection(configuration: appConfiguration) }

    /// Drops the database (closing its connections) and both roles.
    public func drop() throws {
        let admin = try PGConnection(configuration: try TestDatabase.serverConfiguration())
        try admin.simpleQuery("DROP DATABASE IF EXISTS \(database.name) WITH (FORCE)")
        try admin.simpleQuery("DROP OWNED BY \(owner), \(app)")
        try admin.simpleQuery("DROP ROLE IF EXISTS \(app); DROP ROLE IF EXISTS \(owner)")
    }
}
