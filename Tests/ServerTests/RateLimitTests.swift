import Foundation
import Hummingbird
import HummingbirdTesting
import JourneyLab
import Testing

@testable import Server

@Suite("Per-key rate limit")
struct RateLimitTests {
    @Test("a burst over the limit gets 429 problem+json with Retry-After; other keys are served; waiting helps")
    func burstOverTheLimit() async throws {
        let fixture = try ServerFixture.make()
        var configuration = fixture.configuration()
        configuration.rateLimit = 1  // one request per second per key, bursts of 2
        let app = try await buildApplication(configuration)
        try await app.test(.live) { client in
            let started = ContinuousClock.now
            var replies: [Reply] = []
            for _ in 0..<8 { replies.append(try await client.call(.get, "/v1/hypotheses", key: fixture.analyst)) }
            let elapsed = ContinuousClock.now - started
            let served = replies.filter { $0.status == 200 }.count
            // A token bucket allows the burst plus what refilled meanwhile, and nothing more.
            let allowed = 2 + Int(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            #expect(replies.prefix(2).map(\.status) == [200, 200])
            #expect(served <= allowed, "\(served) served in \(elapsed)")
            #expect(replies.allSatisfy { $0.status == 200 || $0.status == 429 }, "\(replies.map(\.status))")
            let limited = try #require(replies.last { $0.status == 429 }, "\(replies.map(\.status)) in \(elapsed)")
            #expect(limited.isProblem)
            #expect(limited.contentType.hasPrefix("application/problem+json"))
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) }, "Retry-After must be whole seconds")
            #expect((1...2).contains(retryAfter))

            // Other keys have their own buckets.
            let other = try await client.call(.get, "/v1/hypotheses", key: fixture.admin)
            #expect(other.status == 200)
            let dealer = try await client.call(
                .post, "/v1/events", key: fixture.dealerA, json: #"{"events":[{"deal_id":"deal-a1","type":"closed_won"}]}"#)
            #expect(dealer.status == 200)

            // After Retry-After seconds the key is served again (a refused request takes no token).
            try await Task.sleep(for: .seconds(retryAfter))
            let after = try await client.call(.get, "/v1/hypotheses", key: fixture.analyst)
            #expect(after.status == 200, "\(after.body)")
        }
    }

    @Test("a limited key's 429 conforms to openapi.yaml on every protected route")
    func documented() async throws {
        let fixture = try ServerFixture.make()
        try fixture.insertRunningHypothesis()
        var configuration = fixture.configuration(reports: StubReports())
        configuration.rateLimit = 0.01  // one request, then a long wait
        let app = try await buildApplication(configuration)
        let replies = try await app.test(.live) { client -> [(String, String, String, Reply)] in
            let calls: [(HTTPRequest.Method, String, String, String?)] = [
                (.post, "/v1/assignments", "/v1/assignments", #"{"deal_id":"n","dealer_id":"dealer-a","stage":"first-visit"}"#),
                (.post, "/v1/events", "/v1/events", #"{"events":[{"deal_id":"deal-a1","type":"closed_won"}]}"#),
                (.get, "/v1/hypotheses", "/v1/hypotheses", nil),
                (.get, "/v1/hypotheses/h-email", "/v1/hypotheses/{id}", nil),
                (.get, "/v1/hypotheses/h-email/report", "/v1/hypotheses/{id}/report", nil),
                (.get, "/reports/h-email", "/reports/{id}", nil),
            ]
            _ = try await client.call(.get, "/v1/hypotheses", key: fixture.admin)
            var replies: [(String, String, String, Reply)] = []
            for (method, uri, path, body) in calls {
                replies.append((method.rawValue, uri, path, try await client.call(method, uri, key: fixture.admin, json: body)))
            }
            return replies
        }
        let spec = try OpenAPISpec()
        for (method, uri, path, reply) in replies {
            #expect(reply.status == 429, "\(uri)")
            #expect(spec.check(method, path, reply) == [], "\(uri)")
            #expect(Int(reply.headers[.retryAfter] ?? "") ?? 0 >= 1, "\(uri)")
        }
    }

    @Test("JOURNEYLAB_RATE_LIMIT sets the limit; a negative or non-numeric value is refused")
    func fromEnvironment() throws {
        var configuration = ServerConfiguration(database: try .init("host=/tmp dbname=x"))
        #expect(configuration.rateLimit == 0)
        try configuration.apply(environment: ["JOURNEYLAB_RATE_LIMIT": "2.5"])
        #expect(configuration.rateLimit == 2.5)
        #expect(throws: JourneyLabError.self) { try configuration.apply(environment: ["JOURNEYLAB_RATE_LIMIT": "-1"]) }
        #expect(throws: JourneyLabError.self) { try configuration.apply(environment: ["JOURNEYLAB_RATE_LIMIT": "fast"]) }
    }

    @Test("the bucket: burst of twice the rate, refill at the rate, Retry-After rounds up to whole seconds")
    func bucket() {
        let limiter = KeyRateLimiter(rate: 0.25)  // burst max(1, 0.5) = 1
        #expect(limiter.take("a") == nil)
        #expect(limiter.take("a") == 4)  // (1 − 0) / 0.25
        #expect(limiter.take("b") == nil)
        let fast = KeyRateLimiter(rate: 50)
        for _ in 0..<100 { #expect(fast.take("k") == nil) }  // the burst
        var refused: Int?
        for _ in 0..<10_000 where refused == nil { refused = fast.take("k") }
        #expect(refused == 1)  // 1/50 s to wait, rounded up
        let glacial = KeyRateLimiter(rate: 1e-300)  // JOURNEYLAB_RATE_LIMIT accepts any positive number
        #expect(glacial.take("k") == nil)
        #expect(glacial.take("k") == 86_400)
    }
}
