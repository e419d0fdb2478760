import Foundation
import Testing
import TestSupport

/// The embedded default database, driven through the built CLI as a new user would.
@Suite("Embedded default database", .serialized)
struct EmbeddedDatabaseTests {
    /// A temporary `JOURNEYLAB_HOME` (short: Unix socket paths are limited to ~107 bytes) and the
    /// environment that points the CLI at it.
    static func temporaryHome() -> (home: String, environment: [String: String]) {
        let home = "/tmp/jl-e2e-\(UInt32.random(in: 0...UInt32.max))"
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNEYLAB_HOME"] = home
        environment.removeValue(forKey: "JOURNEYLAB_DATABASE_URL")
        return (home, environment)
    }

    @Test func statusCreatesThenReusesAndStopStops() async throws {
        let (home, environment) = Self.temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let binary = TestProcess.journeylabBinary

        let first = try await TestProcess.run(binary, ["db", "status", "--format", "json"], environment: environment)
        #expect(first.status == 0, "stderr: \(first.standardError)")
        let status = try JSONSerialization.jsonObject(with: Data(first.output.utf8)) as? [String: Any]
        #expect(status?["embedded"] as? Bool == true)
        // Status changes nothing: on a new cluster every migration is pending until a command that uses it.
        #expect((status?["applied"] as? [String])?.isEmpty == true)
        #expect((status?["pending"] as? [String])?.contains("001_schema.sql") == true)
        #expect((status?["log"] as? String)?.hasSuffix("/postgres.log") == true)
        let dataDirectory = try #require(status?["data_directory"] as? String)
        let version = try String(contentsOfFile: dataDirectory + "/PG_VERSION", encoding: .utf8)
        #expect(!version.isEmpty)

        // A second run reuses the same cluster (same data directory, same postmaster).
        let pidBefore = try String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)
            .split(separator: "\n").first
        let migrate = try await TestProcess.run(binary, ["db", "migrate"], environment: environment)
        #expect(migrate.status == 0, "stderr: \(migrate.standardError)")
        let second = try await TestProcess.run(binary, ["db", "status", "--format", "json"], environment: environment)
        #expect(second.status == 0)
        let migrated = try JSONSerialization.jsonObject(with: Data(second.output.utf8)) as? [String: Any]
        #expect((migrated?["applied"] as? [String])?.contains("001_schema.sql") == true)
        #expect((migrated?["pending"] as? [String])?.isEmpty == true)
        let pidAfter = try String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)
            .split(separator: "\n").first
        #expect(pidBefore == pidAfter)

        let stop = try await TestProcess.run(binary, ["db", "stop"], environment: environment)
        #expect(stop.status == 0)
        #expect(stop.output.contains("Stopped"))
        #expect(!FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid"))
        let again = try await TestProcess.run(binary, ["db", "stop"], environment: environment)
        #expect(again.output.contains("was not running"))
        // db start brings it back (the same data: the migrations are still applied), whatever JOURNEYLAB_DATABASE_URL says.
        var elsewhere = environment
        elsewhere["JOURNEYLAB_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/x"
        let start = try await TestProcess.run(binary, ["db", "start"], environment: elsewhere)
        #expect(start.status == 0, "\(start.standardError)")
        #expect(start.output.contains("is running."), "\(start.output)")
        #expect(FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid"))
        _ = try await TestProcess.run(binary, ["db", "stop"], environment: environment)
    }

    @Test func stalePidFileAfterACrashIsHandled() async throws {
        let (home, environment) = Self.temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let binary = TestProcess.journeylabBinary
        let first = try await TestProcess.run(binary, ["db", "status", "--format", "json"], environment: environment)
        #expect(first.status == 0, "stderr: \(first.standardError)")
        let status = try JSONSerialization.jsonObject(with: Data(first.output.utf8)) as? [String: Any]
        let dataDirectory = try #require(status?["data_directory"] as? String)
        let pidFile = dataDirectory + "/postmaster.pid"
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).split(separator: "\n")[0]))
        let pidFileContents = try String(contentsOfFile: pidFile, encoding: .utf8)
        // Simulate a crash: kill the server hard, then leave a pid file naming a dead process behind.
        kill(pid, SIGKILL)
        for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
        try? FileManager.default.removeItem(atPath: dataDirectory + "/../run/.s.PGSQL.5432")
        var lines = pidFileContents.split(separator: "\n", omittingEmptySubsequences: false)
        lines[0] = "999999"
        try lines.joined(separator: "\n").write(toFile: pidFile, atomically: true, encoding: .utf8)

        let recovered = try await TestProcess.run(binary, ["db", "status"], environment: environment)
        #expect(recovered.status == 0, "stderr: \(recovered.standardError)")
        #expect(recovered.output.contains("001_schema.sql"))
        _ = try await TestProcess.run(binary, ["db", "stop"], environment: environment)
    }

    @Test func singleValueOptionGivenTwiceExitsTwo() async throws {
        let binary = TestProcess.journeylabBinary
        let arms = ["analyze", "--arm", "a=1/10", "--arm", "b=2/10"]
        for extra in [["--format", "json", "--format", "text"], ["--alpha=0.1", "--alpha", "0.2"]] {
            let twice = try await TestProcess.run(binary, arms + extra)
            #expect(twice.status == 2, "\(extra)")
            #expect(twice.output.isEmpty)
            #expect(twice.standardError.contains("\(extra[0].prefix { $0 != "=" }) is given more than once: give it once"), "\(twice.standardError)")
            #expect(twice.standardError.split(separator: "\n").count == 1)
        }
        // A repeatable option, and an option's value that looks like an option, are fine.
        #expect(try await TestProcess.run(binary, arms + ["--format", "json"]).status == 0)
        let titled = try await TestProcess.run(
            binary, ["hypothesis", "register", "--title", "--title", "--database-url", "postgresql://nobody@127.0.0.1:1/x"])
        #expect(!titled.standardError.contains("more than once"), "\(titled.standardError)")
        // Checked before anything runs, and the values (a password here) are not echoed.
        let urls = try await TestProcess.run(
            binary, ["journey", "list", "--database-url", "postgresql://u:hunter2@127.0.0.1:1/x", "--database-url", "postgresql://u:hunter3@127.0.0.1:1/x"])
        #expect(urls.status == 2)
        #expect(urls.standardError.contains("--database-url is given more than once"), "\(urls.standardError)")
        #expect(!urls.standardError.contains("hunter"))
    }

    @Test func badUsageExitsTwoWithOneLine() async throws {
        let binary = TestProcess.journeylabBinary
        let result = try await TestProcess.run(binary, ["db", "status", "--format", "csv"])
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("error: "))
        #expect(result.standardError.split(separator: "\n").count == 1)
        let unreachable = try await TestProcess.run(binary, ["db", "status", "--database-url", "postgresql://nobody@127.0.0.1:1/x"])
        #expect(unreachable.status == 1)
        #expect(unreachable.standardError.contains("cannot connect"))
        // A JOURNEYLAB_SQL_DIR without migrations is named, not taken for "up to date".
        let emptyFolder = FileManager.default.temporaryDirectory.appendingPathComponent("jl-sql-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: emptyFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: emptyFolder) }
        var noMigrations = ProcessInfo.processInfo.environment
        noMigrations["JOURNEYLAB_SQL_DIR"] = emptyFolder
        let migrate = try await TestProcess.run(
            binary, ["db", "migrate", "--database-url", "postgresql://nobody@127.0.0.1:1/x"], environment: noMigrations)
        #expect(migrate.status == 2 && migrate.standardError.contains("no migrations"), "\(migrate.standardError)")
        // An empty --database-url is a mistake, not libpq's "all defaults".
        let empty = try await TestProcess.run(binary, ["journey", "list", "--database-url", ""])
        #expect(empty.status == 2 && empty.standardError.contains("--database-url is empty"), "\(empty.standardError)")
        // An argument that is not UTF-8 is refused before anything runs (Swift would replace the bad bytes).
        let latin1 = try await TestProcess.run("/bin/sh", ["-c", #""$0" plan --baseline "$(printf '0.2\351')" --deals 150"#, binary])
        #expect(latin1.status == 2)
        #expect(latin1.standardError.contains("is not valid UTF-8"), "\(latin1.standardError)")
        // A JOURNEYLAB_PG_BIN without the server programs is named, not silently replaced by another version.
        let (home, environment) = Self.temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        var wrongBinaries = environment
        wrongBinaries["JOURNEYLAB_PG_BIN"] = "/nonexistent/bin"
        let wrong = try await TestProcess.run(binary, ["db", "status"], environment: wrongBinaries)
        #expect(wrong.status == 2)
        #expect(wrong.standardError.contains("JOURNEYLAB_PG_BIN=/nonexistent/bin holds no initdb"), "\(wrong.standardError)")
    }
}
