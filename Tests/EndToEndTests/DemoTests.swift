import Foundation
import Postgres
import Testing
import TestSupport

/// The main job end to end: the built `journeylab demo` on a throwaway database, checked from the outside.
@Suite("Demo end to end", .serialized)
struct DemoTests {
    /// `journeylab demo ARGUMENTS` on a fresh database, its HTML report written to a temporary file and read
    /// back (the file is removed).
    static func runDemo(_ arguments: [String]) async throws -> (database: TestDatabase, result: TestProcess.Result, html: String) {
        let database = try TestDatabase.create(migrated: false)
        let htmlPath = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID()).html").path
        defer { try? FileManager.default.removeItem(atPath: htmlPath) }
        let result = try await TestProcess.run(
            TestProcess.journeylabBinary,
            ["demo", "--database-url", database.configuration.connectionString, "--output", htmlPath] + arguments)
        #expect(result.status == 0, "stderr: \(result.standardError.suffix(2000))")
        return (database, result, (try? String(contentsOfFile: htmlPath, encoding: .utf8)) ?? "")
    }

    @Test func demoKeepsEveryAcknowledgedEventOnceAndReachesTheRightDecisions() async throws {
        let (database, result, html) = try await Self.runDemo(["--seed", "11", "--format", "json"])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let connection = try database.connect()

        // Every acknowledged event is stored exactly once (repeats and retried batches included).
        let acknowledged = try #require(summary["events_acknowledged"] as? Int)
        let sent = try #require(summary["events_sent"] as? Int)
        let duplicates = try #require(summary["duplicates_reported"] as? Int)
        #expect(acknowledged == sent)
        #expect(duplicates > 0, "the demo repeats some batches; the API must recognise them")
        let stored = try connection.query("SELECT count(*), count(DISTINCT (deal_id, event_id)) FROM events")
        #expect(try stored.firstRow { try $0.decode(Int.self, 0) } == acknowledged)
        #expect(try stored.firstRow { try $0.decode(Int.self, 1) } == acknowledged)

        // Arms are balanced per dealer within the open block (1:1, blocks of at most 6: |c − t| ≤ 3).
        let imbalance = try connection.query(
            """
            SELECT a.hypothesis_key, a.stratum,
                   abs(count(*) FILTER (WHERE a.arm = 'control') - count(*) FILTER (WHERE a.arm <> 'control'))
              FROM assignments a JOIN hypotheses h ON h.key = a.hypothesis_key
             WHERE h.randomization = 'block'
             GROUP BY 1, 2
            """
        ).rows { (try $0.decode(String.self, 0), try $0.decode(String.self, 1), try $0.decode(Int.self, 2)) }
        #expect(imbalance.count >= 8 * 4)
        for (hypothesis, stratum, difference) in imbalance {
            #expect(difference <= 3, "\(hypothesis) / \(stratum): arms differ by \(difference)")
        }

        // The clear win is adopted; the harmful change is rejected or inconclusive.
        let decisions = try #require(summary["decisions"] as? [String: String])
        #expect(decisions["accessories-email-chain"] == "adopt")
        #expect(["reject", "inconclusive"].contains(decisions["waiting-status-chain"]))

        // The report equals `journeylab analyze` on the same counts.
        let reports = try #require(summary["reports"] as? [[String: Any]])
        let report = try #require(reports.first { ($0["hypothesis"] as? [String: Any])?["id"] as? String == "accessories-email-chain" })
        let arms = try #require(report["arms"] as? [[String: Any]])
        let arguments = arms.flatMap { arm -> [String] in
            ["--arm", "\(arm["name"]!)=\(arm["conversions"]!)/\(arm["deals"]!)"]
        }
        let analyze = try await TestProcess.run(
            TestProcess.journeylabBinary, ["analyze"] + arguments + ["--alpha", "0.05", "--mde", "0.15", "--format", "json"])
        #expect(analyze.status == 0, "\(analyze.standardError)")
        let direct = try #require(try JSONSerialization.jsonObject(with: Data(analyze.output.utf8)) as? [String: Any])
        #expect(NSDictionary(dictionary: ["c": report["comparisons"]!]).isEqual(to: ["c": direct["comparisons"]!]))
        let directArms = try #require(direct["arms"] as? [[String: Any]])
        for (fromReport, fromAnalyze) in zip(arms, directArms) {
            for key in ["name", "deals", "conversions", "rate", "rate_ci"] {
                #expect(NSDictionary(dictionary: ["v": fromReport[key]!]).isEqual(to: ["v": fromAnalyze[key]!]), "arms.\(key)")
            }
        }

        // The HTML report was written and is self-contained.
        #expect(html.contains("accessories-email-chain"))
        #expect(!html.contains("https://") && !html.contains("http://"))
    }

    /// The text run ends with commands a new user can paste as they are: each one (but `serve`) runs and
    /// succeeds, and the `analyze` one carries the accessories chain's counts.
    @Test func suggestedNextCommandsRunAsPrinted() async throws {
        let (database, result, _) = try await Self.runDemo(["--deals", "60"])
        let lines = result.output.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex(of: "Try next:"))
        let suggestions = lines[(start + 1)...].map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("(") }
        #expect(suggestions.count == 6, "\(suggestions)")
        for line in suggestions {
            #expect(line.hasPrefix(TestProcess.journeylabBinary + " "), "runs the binary that printed it: \(line)")
        }
        let analyze = try #require(suggestions.first { $0.contains(" analyze ") })
        let arms = try database.connect().query(
            """
            SELECT string_agg(arm || '=' || count, ' ' ORDER BY arm) FROM (
              SELECT a.arm, count(*) FILTER (WHERE e.type IS NOT NULL) || '/' || count(*) AS count
                FROM assignments a
                JOIN LATERAL (SELECT 1 FROM events c WHERE c.deal_id = a.deal_id AND c.type IN ('closed_won', 'closed_lost') LIMIT 1) r ON true
                LEFT JOIN LATERAL (SELECT m.type FROM events m WHERE m.deal_id = a.deal_id AND m.type = 'addon_purchased' LIMIT 1) e ON true
               WHERE a.hypothesis_key = 'accessories-email-chain' GROUP BY a.arm) t
            """
        ).scalar(String.self)
        #expect(analyze.hasSuffix(" analyze " + arms.split(separator: " ").map { "--arm \($0)" }.joined(separator: " ")),
                "\(analyze) against stored counts \(arms)")
        for line in suggestions where !line.contains(" serve ") {
            let run = try await TestProcess.run("/bin/sh", ["-c", line])
            #expect(run.status == 0, "\(line): \(run.standardError)")
        }
    }
}
