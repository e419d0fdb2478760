import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Server

@Suite("Health, readiness, metrics, OpenAPI")
struct OperationsTests {
    @Test("healthz and readyz")
    func healthAndReady() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let health = try await client.call(.get, "/healthz")
            #expect(health.status == 200)
            #expect(health.json["status"] as? String == "ok")
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == 200)
            #expect(ready.json["ready"] as? Bool == true)
            #expect(ready.headers[.init("X-Request-Id")!] != nil)
        }
    }

    @Test("metrics count requests per route and status, events and the pool")
    func metrics() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            _ = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":[{"deal_id":"deal-a1","type":"closed_won"}]}"#)
            _ = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":[{"deal_id":"deal-a1","type":"closed_won"}]}"#)
            _ = try await client.call(.get, "/v1/hypotheses")
            _ = try await client.call(.delete, "/v1/hypotheses/h-email", key: fixture.admin)
            let text = try await client.call(.get, "/metrics").body
            // A 405 is counted under the route's template, not as an unknown route.
            #expect(text.contains(#"journeylab_http_requests_total{method="DELETE",route="/v1/hypotheses/{id}",status="405"} 1"#), "\(text)")
            #expect(text.contains(#"journeylab_http_requests_total{method="POST",route="/v1/events",status="200"} 2"#))
            #expect(text.contains(#"journeylab_http_requests_total{method="GET",route="/v1/hypotheses",status="401"} 1"#))
            #expect(text.contains(#"journeylab_http_request_duration_seconds_bucket{method="POST",route="/v1/events",status="200",le="+Inf"} 2"#))
            #expect(text.contains(#"journeylab_events_total{outcome="accepted"} 1"#))
            #expect(text.contains(#"journeylab_events_total{outcome="duplicate"} 1"#))
            #expect(text.contains(#"journeylab_db_pool_connections{state="max"} 8"#))
            #expect(!text.contains(fixture.admin))
        }
    }

    @Test("serves openapi.yaml")
    func openAPI() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let reply = try await client.call(.get, "/openapi.yaml")
            #expect(reply.status == 200)
            #expect(reply.body.hasPrefix("openapi: 3"))
            #expect(reply.body.contains("/v1/events:"))
        }
    }
}
