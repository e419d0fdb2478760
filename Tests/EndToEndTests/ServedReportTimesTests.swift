import AsyncHTTPClient
import Foundation
import Testing
import TestSupport

/// The built `journeylab serve`, as operators run it: the times in its JSON are the real ones, as RFC 3339.
/// (The intermittent garbage `generated_at` that Foundation's ISO 8601 strategy wrote in some server
/// processes did not show up here even with that strategy back; the fuzz run's date-time check against the
/// report schema is what caught it. This test guards the format and the values themselves.)
@Suite("Served report times")
struct ServedReportTimesTests {
    static func date(_ text: String?) -> Date? {
        guard let text, text.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil else { return nil }
        return ISO8601DateFormatter().date(from: text)
    }

    @Test("generated_at is now and started_at is the start, in every response")
    func timesAreReal() async throws {
        let database = try TestDatabase.create()
        let url = database.configuration.connectionString
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNEYLAB_DATABASE_URL"] = nil
        func journeylab(_ arguments: [String]) async throws -> String {
            let result = try await TestProcess.run(
                TestProcess.journeylabBinary, arguments + ["--database-url", url], environment: environment)
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
            return result.output
        }
        // Tests/EndToEndTests/ServedReportTimesTests.swift → repository root → examples/
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/car-brand-x.yaml")
        _ = try await journeylab(["journey", "import", example.path])
        _ = try await journeylab(["hypothesis", "start", "accessories-email-chain"])
        let key = try JSONSerialization.jsonObject(
            with: Data(try await journeylab(["key", "create", "--role", "analyst", "--name", "times", "--format", "json"]).utf8))
        let secret = try #require((key as? [String: Any])?["secret"] as? String)

        let server = try TestProcess.launch(
            TestProcess.journeylabBinary, ["serve", "--port", "0", "--database-url", url], environment: environment)
        defer { server.stop() }
        let port = try #require(Int(try await server.waitForLog(#"listening on 127\.0\.0\.1:(\d+)"#)))
        for _ in 0..<20 {
            let before = Date().addingTimeInterval(-2)
            let reply = try await SecurityEndToEndTests.call(
                port: port, .GET, "/v1/hypotheses/accessories-email-chain/report", authorization: "Bearer \(secret)")
            #expect(reply.status == 200, "\(reply.body)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
            let generated = try #require(Self.date(report["generated_at"] as? String), "\(report["generated_at"] ?? "nil")")
            #expect(generated >= before && generated <= Date().addingTimeInterval(2), "\(generated)")
            let started = Self.date((report["progress"] as? [String: Any])?["started_at"] as? String)
            #expect(started.map { abs($0.timeIntervalSinceNow) < 600 } == true, "\(String(describing: started))")
        }
        let list = try await SecurityEndToEndTests.call(port: port, .GET, "/v1/hypotheses", authorization: "Bearer \(secret)")
        let items = (try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [String: Any])?["hypotheses"] as? [[String: Any]]
        let started = items?.first { $0["id"] as? String == "accessories-email-chain" }?["started_at"] as? String
        #expect(Self.date(started).map { abs($0.timeIntervalSinceNow) < 600 } == true, "\(String(describing: started))")
        #expect(server.stop() == 0)
    }
}
