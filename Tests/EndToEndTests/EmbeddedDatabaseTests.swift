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

    @Test func statusOnlyReportsStartCreatesThenReusesAndStopStops() async throws {
        let (home, environment) = Self.temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let binary = TestProcess.journeylabBinary
        func status() async throws -> [String: Any] {
            let result = try await TestProcess.run(binary, ["db", "status", "--format", "json"], environment: environment)
            #expect(result.status == 0, "stderr: \(result.standardError)")
            return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        }

        // Status changes nothing: on a new home it says so and creates nothing.
        let fresh = try await status()
        #expect(fresh["embedded"] as? Bool == true)
        #expect(fresh["running"] as? Bool == false)
        #expect(fresh["applied"] is NSNull && fresh["server_version"] is NSNull)
        #expect((fresh["log"] as? String)?.hasSuffix("/postgres.log") == true)
        let dataDirectory = try #require(fresh["data_directory"] as? String)
        #expect(!FileManager.default.fileExists(atPath: dataDirectory))
        let freshText = try await TestProcess.run(binary, ["db", "status"], environment: environment)
        #expect(freshText.output.contains("(embedded, not created yet)"), "\(freshText.output)")

        let start = try await TestProcess.run(binary, ["db", "start"], environment: environment)
        #expect(start.status == 0, "\(start.standardError)")
        let version = try String(contentsOfFile: dataDirectory + "/PG_VERSION", encoding: .utf8)
        #expect(!version.isEmpty)
        let started = try await status()
        #expect(started["running"] as? Bool == true)
        #expect((started["applied"] as? [String])?.contains("001_schema.sql") == true)
        #expect((started["pending"] as? [String])?.isEmpty == true)

        // Another command reuses the same cluster (same data directory, same postmaster).
        let pidBefore = try String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)
            .split(separator: "\n").first
        let migrate = try await TestProcess.run(binary, ["db", "migrate"], environment: environment)
        #expect(migrate.status == 0, "stderr: \(migrate.standardError)")
        let pidAfter = try String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)
            .split(separator: "\n").first
        #expect(pidBefore == pidAfter)

        let stop = try await TestProcess.run(binary, ["db", "stop"], environment: environment)
        #expect(stop.status == 0)
        #expect(stop.output.contains("Stopped"))
        #expect(!FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid"))
        // A stopped cluster is reported, not started.
        let stopped = try await status()
        #expect(stopped["running"] as? Bool == false)
        #expect(!FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid"))
        let stoppedText = try await TestProcess.run(binary, ["db", "status"], environment: environment)
        #expect(stoppedText.output.contains("(embedded, stopped)"), "\(stoppedText.output)")
        let again = try await TestProcess.run(binary, ["db", "stop"], environment: environment)
        #expect(again.output.contains("was not running"))
        // db start brings it back (the same data: the migrations are still applied), whatever JOURNEYLAB_DATABASE_URL says.
        var elsewhere = environment
        elsewhere["JOURNEYLAB_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/x"
        let restart = try await TestProcess.run(binary, ["db", "start"], environment: elsewhere)
        #expect(restart.status == 0, "\(restart.standardError)")
        #expect(restart.output.contains("is running."), "\(restart.output)")
        #expect(FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid"))
        _ = try await TestProcess.run(binary, ["db", "stop"], environment: environment)
    }

    @Test func stalePidFileAfterACrashIsHandled() async throws {
        let (home, environment) = Self.temporaryHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let binary = TestProcess.journeylabBinary
        let first = try await TestProcess.run(binary, ["db", "start"], environment: environment)
        #expect(first.status == 0, "stderr: \(first.standardError)")
        let statusRun = try await TestProcess.run(binary, ["db", "status", "--format", "json"], environment: environment)
        let status = try JSONSerialization.jsonObject(with: Data(statusRun.output.utf8)) as? [String: Any]
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

        // Status sees through the stale pid file (and leaves it); the next command that uses the cluster recovers it.
        let seen = try await TestProcess.run(binary, ["db", "status"], environment: environment)
        #expect(seen.status == 0 && seen.output.contains("(embedded, stopped)"), "\(seen.output) \(seen.standardError)")
        let used = try await TestProcess.run(binary, ["journey", "list"], environment: environment)
        #expect(used.status == 0, "stderr: \(used.standardError)")
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
        // Nor when the parser quotes a misplaced argument as typed.
        for misplaced in ["--database-url=postgresql://u:hunter2@127.0.0.1:1/x", "password=hunter2 host=x"] {
            let quoted = try await TestProcess.run(binary, ["journey", "list", "--", misplaced])
            #expect(quoted.status == 2)
            #expect(quoted.standardError.contains("Unexpected argument") && !quoted.standardError.contains("hunter"), "\(quoted.standardError)")
        }
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
        // A value libpq refuses before connecting is a mistake in the URL (2), not an outage (1).
        for url in [
            "host=/tmp port=abc", "postgresql://x@127.0.0.1:99999/db", "host=/tmp sslmode=bogus", "host=a,b port=1,2,3",
            "postgresql://x@127.0.0.1:1/db?connect_timeout=abc",
        ] {
            let wrong = try await TestProcess.run(binary, ["db", "status", "--database-url", url])
            #expect(wrong.status == 2, "\(url): \(wrong.standardError)")
            #expect(wrong.standardError.contains("correct the --database-url"), "\(wrong.standardError)")
        }
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
