import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import Server

/// A client that goes away in the middle of its request body (a CRM that timed out) is the client's doing:
/// the server counts a 400, not a 500, stores nothing and keeps its pool. Found by scripts/reliability/soak.py.
@Suite("Abandoned requests")
struct AbandonedRequestTests {
    /// Sends the head and half the body of `POST /v1/events` on a raw socket, waits until the server is
    /// reading the body, then closes the connection: with a FIN (half-close) or an RST.
    static func abandon(port: Int, key: String, reset: Bool) throws {
        let body = #"{"events":[{"event_id":"gone-1","deal_id":"deal-a1","type":"closed_won"}]}"#
        let head = "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let bytes = Array((head + body.prefix(body.count / 2)).utf8)
        let fd = try RawHTTP.connect(port: port)
        defer { close(fd) }
        let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        try #require(sent == bytes.count)
        Thread.sleep(forTimeInterval: 0.3)  // the handler is now waiting for the rest of the body
        if reset {
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        } else {
            shutdown(fd, Int32(SHUT_WR))
            Thread.sleep(forTimeInterval: 0.3)
        }
    }

    /// The statuses `/metrics` counted for `POST /v1/events`.
    static func eventStatuses(_ client: any TestClientProtocol) async throws -> [String: Int] {
        let text = try await client.call(.get, "/metrics").body
        var statuses: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("journeylab_http_requests_total{")
            && line.contains("method=\"POST\"") && line.contains("route=\"/v1/events\"")
        {
            guard let range = line.range(of: "status=\""), let end = line[range.upperBound...].firstIndex(of: "\""),
                let count = Int(line.split(separator: " ").last ?? "")
            else { continue }
            statuses[String(line[range.upperBound..<end]), default: 0] += count
        }
        return statuses
    }

    @Test("a body cut off by a close or a reset counts as 400, never 500, and stores nothing", arguments: [false, true])
    func cutOffBody(reset: Bool) async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let port = try #require(client.port)
            try Self.abandon(port: port, key: fixture.dealerA, reset: reset)
            var statuses: [String: Int] = [:]
            for _ in 0..<50 {
                statuses = try await Self.eventStatuses(client)
                if !statuses.isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(statuses == ["400": 1])
            // The server is fine afterwards: the same batch, sent whole, is stored once.
            let whole = try await client.call(
                .post, "/v1/events", key: fixture.dealerA,
                json: #"{"events":[{"event_id":"gone-1","deal_id":"deal-a1","type":"closed_won"}]}"#)
            #expect(whole.status == 200)
        }
        #expect(try fixture.count("SELECT count(*) FROM events WHERE event_id = 'gone-1'") == 1)
    }
}
