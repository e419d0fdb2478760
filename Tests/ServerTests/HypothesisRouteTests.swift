import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Server

@Suite("Hypotheses and reports")
struct HypothesisRouteTests {
    @Test("list and show")
    func listAndShow() async throws {
        let fixture = try ServerFixture.make()
        try fixture.insertRunningHypothesis()
        try await fixture.withServer { client in
            let list = try await client.call(.get, "/v1/hypotheses", key: fixture.analyst)
            #expect(list.status == 200)
            let items = list.json["hypotheses"] as? [[String: Any]] ?? []
            #expect(items.map { $0["id"] as? String } == ["h-email"])
            let one = try await client.call(.get, "/v1/hypotheses/h-email", key: fixture.analyst)
            #expect(one.status == 200)
            #expect(one.json["status"] as? String == "running")
            #expect((one.json["arms"] as? [[String: Any]])?.count == 2)
            let missing = try await client.call(.get, "/v1/hypotheses/nope", key: fixture.analyst)
            #expect(missing.status == 404)
            #expect(missing.isProblem)
            // A percent-encoded id is the same id (RFC 3986).
            let encoded = try await client.call(.get, "/v1/hypotheses/%68-email", key: fixture.analyst)
            #expect(encoded.status == 200 && encoded.json["id"] as? String == "h-email")
            // …but an encoded NUL names nothing (PostgreSQL would refuse it as a value).
            for uri in ["/v1/hypotheses/h-email%00x", "/v1/hypotheses/h-email%00x/report", "/reports/h-email%00x"] {
                let nul = try await client.call(.get, uri, key: fixture.analyst)
                #expect(nul.status == 404, "\(uri): \(nul.body)")
            }
        }
    }

    @Test("reports: the evaluator's JSON and HTML by default, a custom provider when given; 404 for an unknown id")
    func reports() async throws {
        let fixture = try ServerFixture.make()
        try fixture.insertRunningHypothesis()
        try await fixture.withServer { client in
            let json = try await client.call(.get, "/v1/hypotheses/h-email/report", key: fixture.analyst)
            #expect(json.status == 200, "\(json.json)")
            #expect(json.json["decision"] as? String == "continue")
            #expect((json.json["hypothesis"] as? [String: Any])?["id"] as? String == "h-email")
            let html = try await client.call(.get, "/reports/h-email", key: fixture.analyst)
            #expect(html.status == 200)
            #expect(html.contentType.hasPrefix("text/html"))
            let missing = try await client.call(.get, "/v1/hypotheses/nope/report", key: fixture.analyst)
            #expect(missing.status == 404)
            #expect(missing.isProblem)
            #expect(missing.json["detail"] as? String == "no hypothesis \"nope\": GET /v1/hypotheses lists them")
            let encoded = try await client.call(.get, "/reports/%68-email", key: fixture.analyst)
            #expect(encoded.status == 200)
        }
        try await fixture.withServer(reports: StubReports()) { client in
            let json = try await client.call(.get, "/v1/hypotheses/h-email/report", key: fixture.analyst)
            #expect(json.status == 200)
            #expect(json.json["decision"] as? String == "continue")
            let html = try await client.call(.get, "/reports/h-email", key: fixture.analyst)
            #expect(html.status == 200)
            #expect(html.contentType.hasPrefix("text/html"))
            let missing = try await client.call(.get, "/reports/nope", key: fixture.analyst)
            #expect(missing.status == 404)
            #expect(missing.isProblem)
        }
    }
}
