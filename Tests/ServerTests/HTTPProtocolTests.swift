import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JourneyLab
import Testing

@testable import Server

/// HTTP details that real clients, probes and attackers exercise (found by a probe of the running server):
/// HEAD, paths with a doubled slash, repeated credentials, compressed bodies, idle connections.
@Suite("HTTP protocol details")
struct HTTPProtocolTests {
    @Test("HEAD is answered wherever GET is: same status and Content-Length, no body")
    func headLikeGet() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            for (uri, key) in [("/healthz", nil), ("/openapi.yaml", nil), ("/v1/hypotheses", fixture.analyst)] {
                let get = try await client.call(.get, uri, key: key)
                let head = try await client.call(.head, uri, key: key)
                #expect(get.status == 200 && head.status == 200, "\(uri)")
                #expect(head.body.isEmpty, "\(uri)")
                #expect(head.headers[.contentLength] == String(get.body.utf8.count), "\(uri)")
                #expect(head.contentType == get.contentType, "\(uri)")
            }
            let unauthorized = try await client.call(.head, "/v1/hypotheses")
            #expect(unauthorized.status == 401 && unauthorized.body.isEmpty)
            let options = try await client.call(.options, "/healthz")
            #expect(options.status == 405 && options.headers[.allow] == "GET, HEAD")
        }
    }

    @Test("a doubled slash reaches the route with its key checked, not a 401 for a key that was sent")
    func doubledSlash() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let single = try await client.call(.get, "/v1/hypotheses", key: fixture.analyst)
            let double = try await client.call(.get, "//v1/hypotheses", key: fixture.analyst)
            #expect(single.status == 200)
            #expect(double.status == single.status, "\(double.body)")
            #expect(try await client.call(.get, "//v1/hypotheses").status == 401, "still protected without a key")
        }
    }

    @Test("two Authorization headers → 401 saying to send one")
    func repeatedAuthorization() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            var headers: HTTPFields = [:]
            headers.append(HTTPField(name: .authorization, value: "Bearer \(fixture.analyst)"))
            headers.append(HTTPField(name: .authorization, value: "Bearer \(fixture.analyst)"))
            let (status, body) = try await client.execute(uri: "/v1/hypotheses", method: .get, headers: headers) {
                (Int($0.status.code), String(buffer: $0.body))
            }
            #expect(status == 401)
            #expect(body.contains("send exactly one Authorization header"), "\(body)")
        }
    }

    @Test("a compressed body → 415 naming the coding, nothing stored")
    func contentEncoding() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            for coding in ["gzip", "br", "identity, gzip"] {
                var headers: HTTPFields = [.authorization: "Bearer \(fixture.admin)", .contentType: "application/json"]
                headers[.contentEncoding] = coding
                let body = ByteBuffer(string: #"{"events":[{"event_id":"gz","deal_id":"deal-a1","type":"x"}]}"#)
                let (status, text) = try await client.execute(uri: "/v1/events", method: .post, headers: headers, body: body) {
                    (Int($0.status.code), String(buffer: $0.body))
                }
                #expect(status == 415, "\(coding): \(text)")
                #expect(text.contains("is not supported: send the JSON uncompressed"))
            }
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 0)
    }

    @Test("a connection that never finishes its request is closed after the idle timeout")
    func idleConnectionsClose() async throws {
        let fixture = try ServerFixture.make()
        try await withOneSecondIdleTimeout(fixture) { port in
            let start = ContinuousClock.now
            // Headers begun and never ended: without the timeout the server would hold this socket for ever
            // (RawHTTP gives up after 30 s).
            let reply = try await RawHTTP.exchange(port: port, Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8))
            let waited = ContinuousClock.now - start
            #expect(reply.isEmpty || reply.hasPrefix("HTTP/1.1 "), "\(reply.prefix(200))")
            #expect(waited < .seconds(10), "closed after \(waited)")
            // A fresh connection is served (the test client's own kept-alive one was idle too, and is closed).
            let fresh = try await RawHTTP.exchange(port: port, Array("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            #expect(fresh.hasPrefix("HTTP/1.1 200 "), "\(fresh.prefix(200))")
        }
    }

    @Test("a request trickling in → 408 problem+json (body) or a close (headers) once the idle timeout has passed, nothing stored")
    func tricklingRequestsTimeOut() async throws {
        let fixture = try ServerFixture.make()
        try await withOneSecondIdleTimeout(fixture) { port in
            let body = Array(#"{"events":[{"event_id":"slow","deal_id":"deal-a1","type":"stage_reached","stage":"first-visit"}]}"#.utf8)
            func head(_ extra: String = "") -> [UInt8] {
                Array(
                    "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(fixture.admin)\r\nContent-Type: application/json\r\n\(extra)Content-Length: \(body.count)\r\n\r\n".utf8)
            }
            // The body a byte every 300 ms: each read resets an idle timer, but not the request's own deadline.
            var start = ContinuousClock.now
            let slowBody = try await RawHTTP.trickle(port: port, [head()] + body.map { [$0] }, pauseMilliseconds: 300)
            var waited = ContinuousClock.now - start
            #expect(slowBody.hasPrefix("HTTP/1.1 408 "), "after \(waited): \(slowBody.prefix(300))")
            #expect(slowBody.contains("application/problem+json") && slowBody.contains("did not arrive within 1 s of its headers"))
            #expect(waited < .seconds(8), "answered after \(waited)")
            // A client that keeps writing after the 408 (without looking) still reads it.
            let blind = try await RawHTTP.trickle(
                port: port, [head() + body.prefix(1)] + body.dropFirst().prefix(4).map { [$0] }, pauseMilliseconds: 400,
                stopOnAnswer: false)
            #expect(blind.hasPrefix("HTTP/1.1 408 "), "\(blind.prefix(300))")
            // A body that stops half-way (nothing more arrives) gets the same 408, not a silent close.
            let stalled = try await RawHTTP.exchange(port: port, head() + Array(body.prefix(body.count / 2)))
            #expect(stalled.hasPrefix("HTTP/1.1 408 "), "\(stalled.prefix(300))")
            // Answered by the route's own error handling, so counted (and logged) as what it is.
            let metrics = try await RawHTTP.exchange(port: port, Array("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            #expect(metrics.contains(#"journeylab_http_requests_total{method="POST",route="/v1/events",status="408"} 3"#), "\(metrics)")
            #expect(!metrics.contains(#"status="400""#))
            // Headers a line every 300 ms: the same deadline, counted from their first bytes; the connection is closed.
            start = ContinuousClock.now
            let lines = ["GET /healthz HTTP/1.1\r\n"] + (0..<40).map { "X-Slow-\($0): y\r\n" } + ["\r\n"]
            let slowHeaders = try await RawHTTP.trickle(port: port, lines.map { Array($0.utf8) }, pauseMilliseconds: 300)
            waited = ContinuousClock.now - start
            #expect(slowHeaders.isEmpty, "\(slowHeaders.prefix(300))")  // closed: no response may precede a request
            #expect(waited < .seconds(8), "closed after \(waited) (the whole trickle takes 12 s)")
            // A request in three pieces well inside the deadline is served as usual.
            let third = body.count / 3
            let pieces = [
                head("Connection: close\r\n"), Array(body[..<third]), Array(body[third..<(2 * third)]), Array(body[(2 * third)...]),
            ]
            let steady = try await RawHTTP.trickle(port: port, pieces, pauseMilliseconds: 150)
            #expect(steady.hasPrefix("HTTP/1.1 200 "), "\(steady.prefix(300))")
        }
        // Only the steady request's event.
        #expect(try fixture.count("SELECT count(*) FROM events WHERE event_id = 'slow'") == 1)
    }

    /// A live server on `fixture` whose idle timeout is 1 s, for `body` to reach on its port with raw sockets.
    private func withOneSecondIdleTimeout(_ fixture: ServerFixture, _ body: @escaping @Sendable (Int) async throws -> Void)
        async throws
    {
        var configuration = fixture.configuration()
        configuration.idleTimeout = .seconds(1)
        let app = try await buildApplication(configuration)
        try await app.test(.live) { client in try await body(try #require(client.port)) }
    }
}
