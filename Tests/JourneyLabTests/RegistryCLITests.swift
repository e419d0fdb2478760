import Foundation
import JourneyLab
import Postgres
import Stats
import Testing
import TestSupport

/// The built `journeylab` binary against a fresh database: exit codes, messages, one JSON document.
@Suite("Registry CLI end to end")
struct RegistryCLITests {
    static func run(_ arguments: [String], database: TestDatabase) async throws -> TestProcess.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNEYLAB_SQL_DIR"] = RepositoryFiles.root.appendingPathComponent("sql").path
        environment["USER"] = "marketer"
        return try await TestProcess.run(
            TestProcess.journeylabBinary, arguments + ["--database-url", database.configuration.connectionString],
            environment: environment)
    }

    /// Every object key in a JSON value, except below the `skipping` keys.
    static func keys(_ value: Any, skipping: Set<String>) -> [String] {
        if let object = value as? [String: Any] {
            return object.flatMap { key, child in [key] + (skipping.contains(key) ? [] : keys(child, skipping: skipping)) }
        }
        if let array = value as? [Any] { return array.flatMap { keys($0, skipping: skipping) } }
        return []
    }

    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func badInputExitsTwoWithOneLineNamingTheFieldAndStoresNothing() async throws {
        let database = try TestDatabase.create()
        let imported = try await Self.run(["journey", "import", RepositoryFiles.example.path, "--format", "json"], database: database)
        #expect(imported.status == 0, "\(imported.standardError)")
        let report = try Self.json(imported.output)
        #expect(report["journey"] as? String == "car-brand-x-family-men-30")
        #expect(report["has_changes"] as? Bool == true)

        let bad = try await Self.run(
            [
                "hypothesis", "register", "--journey", "car-brand-x-family-men-30", "--stage", "first-visit", "--title",
                "Email chain sells accessories", "--metric", "addon_purchased", "--weights", "1,0",
            ], database: database)
        #expect(bad.status == 2)
        #expect(bad.output.isEmpty)
        #expect(
            bad.standardError
                == "error: --weights: 0 is not a positive integer up to 100 — give each arm a weight from 1 to 100, e.g. 1,1\n")

        let wrongBarrier = try await Self.run(
            [
                "hypothesis", "register", "--journey", "car-brand-x-family-men-30", "--stage", "first-visit", "--barrier",
                "no-final-price", "--title", "Email chain sells accessories", "--metric", "addon_purchased",
            ], database: database)
        #expect(wrongBarrier.status == 2)
        #expect(
            wrongBarrier.standardError.hasPrefix("error: --barrier: \"no-final-price\" is not a barrier of stage first-visit"))

        let illegal = try await Self.run(["hypothesis", "pause", "accessories-email-chain"], database: database)
        #expect(illegal.status == 2)
        #expect(illegal.standardError.contains("it is draft; from draft the allowed moves are: start"))

        let connection = try database.connect()
        #expect(try connection.query("SELECT count(*) FROM hypotheses").scalar(Int.self) == 5)
        #expect(try connection.query("SELECT count(*) FROM audit_log WHERE action LIKE 'hypothesis.%'").scalar(Int.self) == 5)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jl-bad-\(UUID().uuidString).yaml")
        try "journey: x\nname: X\nsegment: {key: s, name: S}\nstages:\n  - key: a\n    name: A\n    colour: red\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let badFile = try await Self.run(["journey", "import", file.path], database: database)
        #expect(badFile.status == 2)
        #expect(
            badFile.standardError.hasPrefix("error: \(file.path):7: stages[0].colour: unknown field — allowed here: key, name"))
    }

    /// A test stopped before its plan ended can still have its outcome recorded: the one given, or without
    /// `--outcome` the decision of its report (the contract's plain `conclude ID`).
    @Test func aStoppedHypothesisIsConcludedWithItsOutcome() async throws {
        let database = try TestDatabase.create()
        #expect(try await Self.run(["journey", "import", RepositoryFiles.example.path], database: database).status == 0)
        for key in ["accessories-email-chain", "signing-gift"] {
            for move in ["start", "stop"] {
                let moved = try await Self.run(["hypothesis", move, key], database: database)
                #expect(moved.status == 0, "\(move): \(moved.standardError)")
            }
        }
        let running = try await Self.run(["hypothesis", "start", "final-price-offer"], database: database)
        #expect(running.status == 0, "\(running.standardError)")
        let tooEarly = try await Self.run(["hypothesis", "conclude", "final-price-offer"], database: database)
        #expect(tooEarly.status == 2)
        #expect(tooEarly.standardError.contains("it is running; from running the allowed moves are"), "\(tooEarly.standardError)")

        // No deals at all: the stopped test's report cannot tell either way.
        let pool = database.pool()
        let decision = try await Evaluator(pool: pool).report(for: "signing-gift").analysis.decision
        await pool.shutdown()
        #expect(decision == .inconclusive)
        let byReport = try await Self.run(["hypothesis", "conclude", "signing-gift", "--format", "json"], database: database)
        #expect(byReport.status == 0, "\(byReport.standardError)")
        #expect(try Self.json(byReport.output)["outcome"] as? String == "inconclusive")
        #expect(byReport.standardError.contains("the report decides inconclusive: recording the outcome inconclusive"))

        let concluded = try await Self.run(
            ["hypothesis", "conclude", "accessories-email-chain", "--outcome", "rejected"], database: database)
        #expect(concluded.status == 0, "\(concluded.standardError)")
        let connection = try database.connect()
        let stored = try connection.query(
            "SELECT status || ' ' || outcome || ' ' || (ended_at IS NOT NULL) FROM hypotheses WHERE key = 'accessories-email-chain'"
        ).scalar(String.self)
        #expect(stored == "concluded rejected true")
        let again = try await Self.run(
            ["hypothesis", "conclude", "accessories-email-chain", "--outcome", "adopted"], database: database)
        #expect(again.status == 2)
        #expect(again.standardError.contains("concluded is final"))
    }

    /// `report --format json` has the shape of the request: the report itself for one named ID, a list for
    /// anything else (even when it finds one); an unknown journey is named as such; the commands that need
    /// no database still take `--database-url` (`run` always passes it).
    @Test func reportJSONShapeAndDatabaseURLEverywhere() async throws {
        let database = try TestDatabase.create()
        #expect(try await Self.run(["journey", "import", RepositoryFiles.example.path], database: database).status == 0)
        #expect(try await Self.run(["hypothesis", "start", "signing-gift"], database: database).status == 0)
        let one = try await Self.run(["report", "signing-gift", "--format", "json"], database: database)
        #expect(one.status == 0, "\(one.standardError)")
        #expect(try Self.json(one.output)["decision"] is String)
        let all = try await Self.run(["report", "--format", "json"], database: database)
        #expect(all.status == 0, "\(all.standardError)")
        let listed = try #require(try Self.json(all.output)["reports"] as? [[String: Any]], "a list although one started")
        #expect(listed.count == 1)
        let unknown = try await Self.run(["report", "--journey", "nope"], database: database)
        #expect(unknown.status == 2)
        #expect(unknown.standardError.hasPrefix("error: no journey \"nope\""), "\(unknown.standardError)")
        // An ID named twice is one report; IDs and --journey together are refused (the journey view has its stages).
        let twice = try await Self.run(["report", "signing-gift", "signing-gift", "--format", "json"], database: database)
        #expect(try Self.json(twice.output)["decision"] is String, "\(twice.output.prefix(200))")
        // --output writes through a symbolic link (the link stays) and refuses a directory.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jl-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("target.json").path, link = folder.appendingPathComponent("link.json").path
        FileManager.default.createFile(atPath: target, contents: Data())
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let linked = try await Self.run(["report", "signing-gift", "--format", "json", "--output", link], database: database)
        #expect(linked.status == 0, "\(linked.standardError)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("\"decision\""))
        let directory = try await Self.run(["report", "signing-gift", "--output", folder.path], database: database)
        #expect(directory.status == 2 && directory.standardError.contains("is a directory"), "\(directory.standardError)")
        // An existing private file stays private: written in place, not replaced by a new 0644 one.
        let secret = folder.appendingPathComponent("private.csv").path
        FileManager.default.createFile(atPath: secret, contents: Data("old".utf8), attributes: [.posixPermissions: 0o600])
        let inPlace = try await Self.run(["report", "signing-gift", "--format", "csv", "--output", secret], database: database)
        #expect(inPlace.status == 0, "\(inPlace.standardError)")
        #expect(try FileManager.default.attributesOfItem(atPath: secret)[.posixPermissions] as? Int == 0o600)
        #expect(try String(contentsOfFile: secret, encoding: .utf8).hasPrefix("hypothesis"), "the CSV header replaced the old text")
        let both = try await Self.run(["report", "signing-gift", "--journey", "car-brand-x-family-men-30"], database: database)
        #expect(both.status == 2)
        #expect(both.standardError.contains("not both"), "\(both.standardError)")
        for arguments in [["plan", "--baseline", "0.2", "--deals", "150"], ["analyze", "--arm", "control=12/60", "--arm", "treatment=24/65"]] {
            let computed = try await Self.run(arguments, database: database)
            #expect(computed.status == 0, "\(arguments[0]): \(computed.standardError)")
        }
    }

    @Test func registerStartShowAuditAsJSON() async throws {
        let database = try TestDatabase.create()
        #expect(try await Self.run(["journey", "import", RepositoryFiles.example.path], database: database).status == 0)
        let registered = try await Self.run(
            [
                "hypothesis", "register", "--journey", "car-brand-x-family-men-30", "--stage", "choose-dealer", "--barrier",
                "no-final-price", "--title", "Written offer within the hour", "--metric", "closed_won", "--arms",
                "control,written-offer", "--weights", "1,1", "--target-deals", "150", "--mde", "0.1", "--format", "json",
            ], database: database)
        #expect(registered.status == 0, "\(registered.standardError)")
        let body = try Self.json(registered.output)
        #expect(body["id"] as? String == "written-offer-within-the-hour")
        #expect(body["status"] as? String == "draft")
        #expect(registered.standardError.hasPrefix("warning: with 150 deals the test can detect only lifts of +20.8 pp"))

        let started = try await Self.run(
            ["hypothesis", "start", "written-offer-within-the-hour", "--format", "json"], database: database)
        #expect(started.status == 0, "\(started.standardError)")
        #expect(try Self.json(started.output)["status"] as? String == "running")

        let shown = try await Self.run(["hypothesis", "show", "written-offer-within-the-hour", "--format", "json"], database: database)
        let show = try Self.json(shown.output)
        #expect(show["plan_verified"] as? Bool == true)
        // Keys in snake_case, as over HTTP and in the report: none of Swift's camelCase field names.
        for command in [["hypothesis", "show", "written-offer-within-the-hour"], ["hypothesis", "list"], ["journey", "list"],
                        ["journey", "import", RepositoryFiles.example.path], ["db", "status"], ["audit"]] {
            let output = try await Self.run(command + ["--format", "json"], database: database)
            let keys = Self.keys(try JSONSerialization.jsonObject(with: Data(output.output.utf8)), skipping: ["before", "after"])
            #expect(!keys.isEmpty && keys.allSatisfy { $0 == $0.lowercased() }, "\(command): \(keys.filter { $0 != $0.lowercased() })")
        }

        let text = try await Self.run(["hypothesis", "show", "written-offer-within-the-hour"], database: database)
        #expect(text.output.contains("(frozen; verified)"))
        #expect(text.output.contains("written-offer: 0 enrolled, 0 resolved of 75"))

        let audit = try await Self.run(
            ["audit", "--hypothesis", "written-offer-within-the-hour", "--format", "json"], database: database)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(audit.output.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["action"] as? String } == ["hypothesis.register", "hypothesis.start"])
        #expect(rows.allSatisfy { $0["actor"] as? String == "cli:marketer" })
        // The plan's 64-bit seed comes out digit for digit, as the database holds it (not rounded to a Double).
        let seed = try await Self.run(
            ["hypothesis", "show", "written-offer-within-the-hour"], database: database
        ).output.firstMatch(of: /seed (\d+)/).map { String($0.1) }
        #expect(seed.map { $0.count > 15 } == true, "a random seed has 18 or 19 digits: \(seed ?? "none")")
        #expect(seed.map { audit.output.contains(#""seed" : \#($0)"#) || audit.output.contains(#""seed":\#($0)"#) } == true, "\(audit.output)")

        let tree = try await Self.run(["journey", "show", "car-brand-x-family-men-30"], database: database)
        #expect(tree.output.contains("◆ written-offer-within-the-hour [running] metric closed_won"))
        let list = try await Self.run(["hypothesis", "list", "--status", "running", "--format", "json"], database: database)
        let items = try #require(try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]])
        #expect(items.map { $0["id"] as? String } == ["written-offer-within-the-hour"])
        let byStage = try await Self.run(
            ["hypothesis", "list", "--journey", "car-brand-x-family-men-30", "--stage", "choose-dealer"], database: database)
        #expect(byStage.status == 0 && byStage.output.contains("written-offer-within-the-hour"), "\(byStage.standardError)")
        // Mistyped keys are named, not answered with an empty list.
        for (arguments, named) in [(["--journey", "nope"], "no journey \"nope\""), (["--stage", "choose-deeler"], "no stage \"choose-deeler\"")] {
            let typo = try await Self.run(["hypothesis", "list"] + arguments, database: database)
            #expect(typo.status == 2 && typo.standardError.contains(named), "\(typo.standardError)")
        }

        // As a table: a header, one row per hypothesis, each column starting where its header does.
        let table = try await Self.run(["hypothesis", "list"], database: database)
        let lines = table.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + 6, "the example's five and the one registered here: \(lines)")
        let header = try #require(lines.first)
        let statusColumn = try #require(header.range(of: "status")).lowerBound.utf16Offset(in: header)
        let row = try #require(lines.first { $0.hasPrefix("written-offer-within-the-hour ") })
        #expect(row.dropFirst(statusColumn).hasPrefix("running "), "\(lines)")
        #expect(row.hasSuffix(" 150"), "target, right-aligned: \(row)")
    }
}
