import Foundation
import JourneyLab
import Postgres
import Testing
import TestSupport

/// `journeylab events import` as a user runs it: bad rows stop the import (exit 2, nothing stored) unless
/// `--skip-bad-rows`, which stores the good rows and exits 0 listing the skipped lines.
@Suite("events import CLI")
struct EventsImportCLITests {
    @Test func badRowsStopTheImportUnlessSkipped() async throws {
        let database = try TestDatabase.create()
        #expect(try await RegistryCLITests.run(["journey", "import", RepositoryFiles.example.path], database: database).status == 0)
        let assigned = try await RegistryCLITests.run(
            ["assign", "--deal", "crm-1", "--dealer", "kazan", "--stage", "first-visit"], database: database)
        #expect(assigned.status == 0, "\(assigned.standardError)")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jl-events-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
            deal_id,type,stage,value,occurred_at,event_id
            crm-1,addon_purchased,,45000,2026-01-05T10:00:00Z,e-1
            crm-404,closed_won,,,2026-01-06T10:00:00Z,e-2
            crm-1,closed_won,,,2026-01-07T10:00:00Z,e-3

            """.write(to: file, atomically: true, encoding: .utf8)
        let connection = try database.connect()
        func storedEvents() throws -> Int { try connection.query("SELECT count(*) FROM events").scalar(Int.self) }

        let refused = try await RegistryCLITests.run(["events", "import", file.path], database: database)
        #expect(refused.status == 2)
        #expect(refused.output.contains("line 3:"), "\(refused.output)")
        #expect(refused.standardError.contains("error: nothing was stored"))
        #expect(try storedEvents() == 0)

        let skipped = try await RegistryCLITests.run(["events", "import", file.path, "--skip-bad-rows"], database: database)
        #expect(skipped.status == 0, "\(skipped.output) \(skipped.standardError)")
        #expect(skipped.output.contains("accepted: 2") && skipped.output.contains("line 3:"), "\(skipped.output)")
        #expect(skipped.standardError.contains("skipped the 1 bad row(s)"))
        #expect(try storedEvents() == 2)

        // Only bad rows: nothing to store is still bad input, with or without the flag.
        try "deal_id,type,stage,value,occurred_at,event_id\ncrm-404,closed_won,,,2026-01-06T10:00:00Z,e-9\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let allBad = try await RegistryCLITests.run(["events", "import", file.path, "--skip-bad-rows"], database: database)
        #expect(allBad.status == 2)
        #expect(allBad.standardError.contains("error: nothing was stored: every row is bad"), "\(allBad.standardError)")
        #expect(try storedEvents() == 2)

        // The file itself: missing, a directory, or no path at all, each named as what it is.
        for (path, said) in [("/nonexistent/events.csv", "no file /nonexistent/events.csv"), (NSTemporaryDirectory(), "is a directory"),
                             ("", "give the CSV file's path")] {
            let wrong = try await RegistryCLITests.run(["events", "import", path], database: database)
            #expect(wrong.status == 2 && wrong.standardError.contains(said), "\(path): \(wrong.standardError)")
        }
        // A stage no journey has is stored as asked (as over HTTP), with a word about the likely typo.
        let typo = try await RegistryCLITests.run(
            ["assign", "--deal", "crm-2", "--dealer", "kazan", "--stage", "first-vist"], database: database)
        #expect(typo.status == 0 && typo.standardError.contains("no journey has a stage \"first-vist\""), "\(typo.standardError)")
    }
}
