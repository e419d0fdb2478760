import Foundation
import JourneyLab
import Postgres
import Testing
import TestSupport

@Suite("EventCSVImporter")
struct EventCSVImporterTests {
    static func seedDeals(_ database: TestDatabase, count: Int) throws {
        let connection = try database.connect()
        try connection.copyIn("COPY deals (deal_id, dealer_id) FROM STDIN") { writer in
            for index in 0..<count { try writer.row(["deal-\(index)", "dealer-\(index % 7)"]) }
        }
    }

    @Test("100,000 events with 3 bad rows: the bad rows are reported by line; with --skip-bad-rows the rest is stored")
    func bulkWithBadRows() async throws {
        let database = try TestDatabase.create()
        try Self.seedDeals(database, count: 1000)
        var csv = "deal_id,type,stage,value,occurred_at,event_id\n"
        csv.reserveCapacity(7_000_000)
        let badLines: Set<Int> = [1_002, 50_003, 99_999]  // line numbers (header is line 1)
        for index in 0..<100_000 {
            let line = index + 2
            if line == 1_002 {
                csv += "deal-\(index % 1000),Bad Type,,,2025-01-01T00:00:00Z,ev-\(index)\n"
            } else if line == 50_003 {
                csv += "unknown-deal,closed_won,,,2025-01-01T00:00:00Z,ev-\(index)\n"
            } else if line == 99_999 {
                csv += "deal-\(index % 1000),addon_purchased,,12x,2025-01-01T00:00:00Z,ev-\(index)\n"
            } else {
                csv += "deal-\(index % 1000),addon_purchased,,\(index % 500).25,2025-01-01T00:00:00Z,ev-\(index)\n"
            }
        }
        let pool = database.pool(size: 2)
        let importer = EventCSVImporter(pool: pool)
        let refused = try await importer.importCSV(Data(csv.utf8), actor: "test")
        #expect(!refused.merged)
        #expect(refused.accepted == 0)
        #expect(Set(refused.rejected.map(\.line)) == badLines)
        #expect(refused.rejected.first { $0.line == 50_003 }?.reason.contains("not a known deal") == true)
        #expect(try await pool.withConnection { try $0.query("SELECT count(*) FROM events").scalar(Int.self) } == 0)

        let stored = try await importer.importCSV(Data(csv.utf8), actor: "test", source: "backfill.csv", skipBadRows: true)
        #expect(stored.merged)
        #expect(stored.accepted == 99_997)
        #expect(stored.duplicates == 0)
        #expect(Set(stored.rejected.map(\.line)) == badLines)
        #expect(try await pool.withConnection { try $0.query("SELECT count(*) FROM events WHERE source = 'csv'").scalar(Int.self) } == 99_997)

        let again = try await importer.importCSV(Data(csv.utf8), actor: "test", skipBadRows: true)
        #expect(again.accepted == 0)
        #expect(again.duplicates == 99_997)
        // One audit row, for the import that stored events; the refused one and the repeat changed nothing.
        let audit = try await pool.withConnection {
            try $0.query("SELECT actor, after::text FROM audit_log WHERE action = 'events.import'").rows {
                (try $0.decode(String.self, 0), try $0.decode(String.self, 1))
            }
        }
        #expect(audit.count == 1)
        let after = try #require(try JSONSerialization.jsonObject(with: Data((audit.first?.1 ?? "").utf8)) as? [String: Any])
        #expect(audit.first?.0 == "test")
        #expect(after["file"] as? String == "backfill.csv")
        #expect(after["accepted"] as? Int == 99_997 && after["rejected"] as? Int == 3)
        await pool.shutdown()
    }

    /// A new database holding deals `deal-0` … `deal-2` (dealers `dealer-0` … `dealer-2`), and an importer on it.
    static func importerWithThreeDeals() throws -> (TestDatabase, PGPool, EventCSVImporter) {
        let database = try TestDatabase.create()
        try seedDeals(database, count: 3)
        let pool = database.pool(size: 2)
        return (database, pool, EventCSVImporter(pool: pool))
    }

    /// The closes stored, as "deal:type:event_id", by deal.
    static func storedCloses(_ database: TestDatabase) throws -> String {
        try database.connect().query(
            """
            SELECT string_agg(deal_id || ':' || type || ':' || coalesce(event_id, ''), ' ' ORDER BY deal_id)
              FROM events WHERE type IN ('closed_won', 'closed_lost')
            """
        ).scalar(String.self)
    }

    @Test("a row conflicting with a stored event or an earlier line is rejected")
    func conflicts() async throws {
        let (database, pool, importer) = try Self.importerWithThreeDeals()
        _ = try await importer.importCSV(Data("deal_id,type,value,event_id\ndeal-0,closed_won,10,e1\n".utf8), actor: "test")
        let report = try await importer.importCSV(
            Data("event_id,deal_id,type,value,dealer_id\ne1,deal-0,closed_won,11,\ne2,deal-1,x,1,\ne2,deal-1,x,2,\ne3,deal-2,x,1,dealer-9\n".utf8),
            actor: "test")
        #expect(report.rejected.map(\.line) == [2, 4, 5])
        #expect(report.rejected[0].reason.contains("stored event"))
        #expect(report.rejected[1].reason.contains("line 3"))
        #expect(report.rejected[2].reason.contains("dealer"))
        await pool.shutdown()
    }

    @Test("a deal closes once: a close of a deal closed in the table or on an earlier line is a bad row; a re-sent close is a duplicate")
    func secondClose() async throws {
        let (database, pool, importer) = try Self.importerWithThreeDeals()
        _ = try await importer.importCSV(Data("deal_id,type,event_id\ndeal-0,closed_won,w0\n".utf8), actor: "test")
        let file = Data(
            """
            deal_id,type,event_id
            deal-0,closed_won,w0
            deal-0,closed_lost,l0
            deal-1,closed_won,w1
            deal-1,closed_won,w1b
            deal-2,closed_lost,
            deal-2,addon_purchased,a2

            """.utf8)
        let refused = try await importer.importCSV(file, actor: "test")
        #expect(refused.rejected.map(\.line) == [3, 5], "\(refused.rejected)")
        #expect(refused.rejected.first?.reason.contains(#"would close deal "deal-0" a second time: a stored closed_won event (event_id "w0")"#) == true)
        #expect(refused.rejected.last?.reason.contains("line 4 already closes it") == true)
        #expect(!refused.merged)
        let skipped = try await importer.importCSV(file, actor: "test", skipBadRows: true)
        #expect(skipped.accepted == 3)
        #expect(skipped.duplicates == 1)
        await pool.shutdown()
        #expect(try Self.storedCloses(database) == "deal-0:closed_won:w0 deal-1:closed_won:w1 deal-2:closed_lost:")
    }

    @Test("a close refused for another reason (another dealer, a payload conflict) closes nothing: the deal's next close stands")
    func refusedCloseClosesNothing() async throws {
        let (database, pool, importer) = try Self.importerWithThreeDeals()
        _ = try await importer.importCSV(Data("deal_id,type,stage,event_id\ndeal-2,stage_reached,first-visit,g1\n".utf8), actor: "test")
        let report = try await importer.importCSV(
            Data(
                """
                deal_id,dealer_id,type,event_id
                deal-1,dealer-9,closed_won,m1
                deal-1,dealer-1,closed_lost,m2
                deal-2,,closed_won,g1
                deal-2,,closed_lost,g2

                """.utf8),
            actor: "test", skipBadRows: true)
        #expect(report.rejected.map(\.line) == [2, 4], "\(report.rejected)")
        #expect(report.accepted == 2)
        await pool.shutdown()
        #expect(try Self.storedCloses(database) == "deal-1:closed_lost:m2 deal-2:closed_lost:g2")
    }

    @Test("a header without deal_id or with an unknown column is refused")
    func badHeader() async throws {
        let database = try TestDatabase.create()
        let pool = database.pool(size: 1)
        let importer = EventCSVImporter(pool: pool)
        await #expect(throws: JourneyLabError.self) { try await importer.importCSV(Data("type,value\nx,1\n".utf8), actor: "t") }
        await #expect(throws: JourneyLabError.self) { try await importer.importCSV(Data("deal_id,type,colour\nd,x,red\n".utf8), actor: "t") }
        let repeated = await #expect(throws: JourneyLabError.self) {
            try await importer.importCSV(Data("deal_id,type,type\nd,x,y\n".utf8), actor: "t")
        }
        #expect(repeated?.message.contains(#"names the column "type" twice"#) == true, "\(String(describing: repeated))")
        await pool.shutdown()
    }

    @Test("a row that is not UTF-8 is rejected by its line, never stored with replacement characters")
    func invalidUTF8() async throws {
        let (report, stored) = try await Self.importWithTwoDeals(
            Array("deal_id,type,stage\ndeal-0,x,caf".utf8) + [0xE9] + Array("\ndeal-1,x,ok\n".utf8))
        #expect(report.rejected.map(\.line) == [2])
        #expect(report.rejected.first?.reason.contains("not valid UTF-8") == true)
        #expect(stored == 0, "nothing without --skip-bad-rows")
    }

    @Test("a spreadsheet's byte-order mark and CRLF line ends are read as plain CSV")
    func byteOrderMarkAndCRLF() async throws {
        let (report, stored) = try await Self.importWithTwoDeals(
            [0xEF, 0xBB, 0xBF] + Array("deal_id,type,value\r\ndeal-0,addon_purchased,10\r\ndeal-1,closed_won,5\r\n".utf8))
        #expect(report.rejected.isEmpty, "\(report.rejected)")
        #expect(stored == 2)
    }

    /// Imports `bytes` into a new database holding deals `deal-0` and `deal-1`; returns the report and the events stored.
    static func importWithTwoDeals(_ bytes: [UInt8]) async throws -> (EventCSVImporter.Report, Int) {
        let database = try TestDatabase.create()
        try seedDeals(database, count: 2)
        let pool = database.pool(size: 2)
        let report: EventCSVImporter.Report
        do {
            report = try await EventCSVImporter(pool: pool).importCSV(Data(bytes), actor: "test")
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
        return (report, try database.connect().query("SELECT count(*) FROM events").scalar(Int.self))
    }
}
