import CSystemSupport
import Foundation
import Postgres

#if canImport(Glibc)
import Glibc
#endif

/// The embedded default database: a private PostgreSQL cluster under `$JOURNEYLAB_HOME` (default
/// `~/.journeylab`), created with `initdb` on first use, started with `pg_ctl`, listening on a Unix socket
/// only, and reused on later runs.
///
/// Works as a normal user and as root: PostgreSQL refuses to run as root, so then the server runs as the
/// `postgres` user, and when that user cannot reach `$JOURNEYLAB_HOME` (e.g. under `/root`) the cluster
/// lives in `/var/lib/journeylab/clusters/<hash of the home path>` instead.
public struct EmbeddedDatabase: Sendable {
    public let home: URL
    /// Holds `data/` (the cluster), `run/` (the socket) and `postgres.log`.
    public let clusterDirectory: URL
    /// The OS user the server runs as when we are root.
    public let serverUser: String?

    public static let databaseName = "journeylab"
    public static let superuser = "journeylab"

    public init(home: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let resolvedHome = home ?? Self.defaultHome(environment)
        self.home = resolvedHome
        if geteuid() == 0 {
            serverUser = "postgres"
            if Self.othersCanReach(resolvedHome) {
                clusterDirectory = resolvedHome.appendingPathComponent("pg")
            } else {
                let digest = String(Self.fnv1a(resolvedHome.standardizedFileURL.path), radix: 16)
                clusterDirectory = URL(fileURLWithPath: "/var/lib/journeylab/clusters/\(digest)")
            }
        } else {
            serverUser = nil
            clusterDirectory = resolvedHome.appendingPathComponent("pg")
        }
    }

    public static func defaultHome(_ environment: [String: String]) -> URL {
        if let home = environment["JOURNEYLAB_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        let user = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: user).appendingPathComponent(".journeylab")
    }

    public var dataDirectory: URL { clusterDirectory.appendingPathComponent("data") }
    public var socketDirectory: URL { clusterDirectory.appendingPathComponent("run") }
    public var logFile: URL { clusterDirectory.appendingPathComponent("postgres.log") }

    /// The connection string for the cluster (conninfo form, so paths with spaces work).
    public var configuration: PGConfiguration {
        get throws {
            try PGConfiguration(
                "host='\(socketDirectory.path)' dbname=\(Self.databaseName) user=\(Self.superuser) connect_timeout=10")
        }
    }

    /// Creates the cluster if needed, starts it if stopped, creates the database; safe to call from several
    /// processes at once (they serialize on a lock file).
    /// - Returns: the connection configuration.
    /// - Throws: `JourneyLabError.unavailable` with what to install or where to look.
    @discardableResult
    public func start() throws -> PGConfiguration {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        return try withLockFile {
            let binaries = try Self.findServerBinaries()
            try prepareDirectories()
            if !FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
                try initialize(binaries)
            }
            if try !isRunning(binaries) {
                try removeStalePidFile()
                let options = "-c listen_addresses='' -c unix_socket_directories='\(socketDirectory.path)'"
                let result = try runAsServerUser(
                    binaries.appendingPathComponent("pg_ctl"),
                    ["-D", dataDirectory.path, "-l", logFile.path, "-o", options, "-w", "-t", "60", "start"])
                guard result.status == 0 else {
                    throw JourneyLabError(
                        .unavailable,
                        "the embedded PostgreSQL did not start; see \(logFile.path) (pg_ctl said: \(result.output.suffix(300)))")
                }
            }
            try createDatabaseIfMissing()
            return try configuration
        }
    }

    /// Stops the cluster (fast shutdown). Returns false when it was not running.
    @discardableResult
    public func stop() throws -> Bool {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) else {
            return false
        }
        let binaries = try Self.findServerBinaries()
        guard try isRunning(binaries) else { return false }
        let result = try runAsServerUser(
            binaries.appendingPathComponent("pg_ctl"), ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"])
        guard result.status == 0 else {
            throw JourneyLabError(.unavailable, "pg_ctl stop failed: \(result.output.suffix(300))")
        }
        return true
    }

    /// True when the cluster's server answers.
    public func isRunning() throws -> Bool {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) else {
            return false
        }
        return try isRunning(try Self.findServerBinaries())
    }

    // MARK: Steps

    private func isRunning(_ binaries: URL) throws -> Bool {
        let result = try runAsServerUser(binaries.appendingPathComponent("pg_ctl"), ["-D", dataDirectory.path, "status"])
        return result.status == 0
    }

    /// After a crash `postmaster.pid` may name a dead (or reused) process; pg_ctl said no server runs.
    private func removeStalePidFile() throws {
        let pidFile = dataDirectory.appendingPathComponent("postmaster.pid")
        if FileManager.default.fileExists(atPath: pidFile.path) {
            try FileManager.default.removeItem(at: pidFile)
        }
    }

    private func prepareDirectories() throws {
        let manager = FileManager.default
        try manager.createDirectory(at: clusterDirectory, withIntermediateDirectories: true)
        try manager.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        if let serverUser {
            // The server user must own its directories; root keeps access regardless.
            for url in [clusterDirectory, socketDirectory] {
                _ = try Self.run(URL(fileURLWithPath: "/bin/chown"), [serverUser, url.path])
            }
            if manager.fileExists(atPath: dataDirectory.path) {
                _ = try Self.run(URL(fileURLWithPath: "/bin/chown"), ["-R", serverUser, dataDirectory.path])
            }
        }
        try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: socketDirectory.path)
    }

    private func initialize(_ binaries: URL) throws {
        let result = try runAsServerUser(
            binaries.appendingPathComponent("initdb"),
            ["-D", dataDirectory.path, "-U", Self.superuser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        guard result.status == 0 else {
            throw JourneyLabError(.unavailable, "initdb failed for \(dataDirectory.path): \(result.output.suffix(400))")
        }
    }

    private func createDatabaseIfMissing() throws {
        let maintenance = try PGConfiguration(
            "host='\(socketDirectory.path)' dbname=postgres user=\(Self.superuser) connect_timeout=10")
        let connection = try PGConnection(configuration: maintenance)
        let exists = try connection.query("SELECT count(*) FROM pg_database WHERE datname = $1", [Self.databaseName])
            .scalar(Int.self)
        if exists == 0 {
            do {
                try connection.simpleQuery("CREATE DATABASE \(Self.databaseName)")
            } catch let error as PGError where error.sqlState == "42P04" {
                // Another process created it between our check and our CREATE: fine.
            }
        }
    }

    // MARK: Locating PostgreSQL

    /// The directory holding `initdb`, `pg_ctl` and `postgres`: `JOURNEYLAB_PG_BIN` when set (and then only
    /// it: a wrong one is an error, not a silent fall-back to another version), else from PATH, else the newest
    /// `/usr/lib/postgresql/*/bin`.
    public static func findServerBinaries(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> URL
    {
        let manager = FileManager.default
        func hasServerPrograms(_ directory: URL) -> Bool {
            manager.isExecutableFile(atPath: directory.appendingPathComponent("initdb").path)
                && manager.isExecutableFile(atPath: directory.appendingPathComponent("pg_ctl").path)
        }
        if let explicit = environment["JOURNEYLAB_PG_BIN"], !explicit.isEmpty {
            let directory = URL(fileURLWithPath: explicit)
            guard hasServerPrograms(directory) else {
                throw JourneyLabError.invalid(
                    "JOURNEYLAB_PG_BIN=\(explicit) holds no initdb and pg_ctl: point it at PostgreSQL's bin directory (e.g. /usr/lib/postgresql/15/bin) or unset it")
            }
            return directory
        }
        var candidates: [URL] = []
        for entry in (environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(URL(fileURLWithPath: String(entry)))
        }
        if let versions = try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
                candidates.append(URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin"))
            }
        }
        if let directory = candidates.first(where: hasServerPrograms) { return directory }
        throw JourneyLabError(
            .unavailable,
            "PostgreSQL server programs (initdb, pg_ctl) were not found: install them with `sudo apt-get install postgresql` (or pass --database-url to use an existing server)"
        )
    }

    // MARK: Processes

    struct ProcessResult {
        var status: Int32
        var output: String
    }

    private func runAsServerUser(_ executable: URL, _ arguments: [String]) throws -> ProcessResult {
        guard let serverUser else { return try Self.run(executable, arguments) }
        guard getpwnam(serverUser) != nil else {
            throw JourneyLabError(
                .unavailable,
                "running as root, but there is no '\(serverUser)' user to run PostgreSQL as: install the postgresql package (it creates one) or run journeylab as a normal user"
            )
        }
        let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        if let runuser {
            return try Self.run(URL(fileURLWithPath: runuser), ["-u", serverUser, "--", executable.path] + arguments)
        }
        let command = ([executable.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try Self.run(URL(fileURLWithPath: "/bin/su"), ["-s", "/bin/sh", serverUser, "-c", command.joined(separator: " ")])
    }

    static func run(_ executable: URL, _ arguments: [String]) throws -> ProcessResult {
        let result = try Subprocess.run(executable, arguments)
        return ProcessResult(status: result.status, output: result.output)
    }

    private func withLockFile<T>(_ body: () throws -> T) throws -> T {
        let path = home.appendingPathComponent(".lock").path
        let descriptor = open(path, O_CREAT | O_RDWR, 0o600)
        guard descriptor >= 0 else {
            throw JourneyLabError(.unavailable, "cannot open the lock file \(path): check that \(home.path) is writable")
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            throw JourneyLabError(.unavailable, "cannot lock \(path)")
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// True when every directory from `/` down to `url` is searchable by others (mode o+x).
    static func othersCanReach(_ url: URL) -> Bool {
        var path = url.standardizedFileURL.path
        // The home may not exist yet: check the deepest existing ancestor chain.
        while !FileManager.default.fileExists(atPath: path), path != "/" {
            path = (path as NSString).deletingLastPathComponent
        }
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            var info = stat()
            guard stat(current, &info) == 0, info.st_mode & S_IXOTH != 0 else { return false }
        }
        return true
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
