import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import ServiceLifecycle
import Testing

@testable import Server

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("graceful shutdown lets an in-flight request finish, then stops")
    func drainsInFlightRequests() async throws {
        let fixture = try ServerFixture.make()
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = try await buildApplication(fixture.configuration(), onServerRunning: { portSink.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test")))
        // A transaction holding the event's idempotency key makes the request wait inside the handler.
        let blocker = try fixture.database.connect()
        try blocker.simpleQuery("BEGIN")
        try blocker.execute(
            """
            INSERT INTO events (deal_id, idempotency_key, event_id, type, occurred_at, payload_hash, enrolled)
            VALUES ('deal-a1', 'id:slow', 'slow', 'closed_won', now(), 'held', false)
            """)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let request = Task {
                try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    var headers: HTTPFields = [.authorization: "Bearer \(fixture.dealerA)", .contentType: "application/json"]
                    headers[.connection] = "close"
                    // With a Host header (authority), as HTTP/1.1 requires: the server answers 400 without one.
                    return try await client.execute(
                        TestClient.Request(
                            "/v1/events", method: .post, authority: "127.0.0.1:\(port)", headers: headers,
                            body: ByteBuffer(string: #"{"events":[{"event_id":"slow","deal_id":"deal-a1","type":"closed_won"}]}"#))
                    ).status.code
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            await group.triggerGracefulShutdown()
            try await Task.sleep(for: .milliseconds(300))
            try blocker.simpleQuery("ROLLBACK")  // the held key goes away: the request can finish
            let status = try await request.value
            #expect(status == 200)
            try await tasks.waitForAll()
        }
        #expect(try fixture.count("SELECT count(*) FROM events WHERE event_id = 'slow'") == 1)
    }
}
