import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Postgres

/// The dealer CRM's side of the HTTP API: JSON over a real HTTP client, retrying what was not acknowledged.
struct DemoAPIClient: Sendable {
    let client: HTTPClient
    let baseURL: String

    struct Failure: Error, CustomStringConvertible {
        var status: Int
        var body: String
        var description: String { "the API answered \(status): \(body.prefix(300))" }
    }

    /// POSTs JSON and decodes the 200 answer. Transport errors and 5xx/429 are retried (at most 6 tries);
    /// a 4xx is the client's mistake and is thrown at once.
    /// - Returns: the decoded body and how many retries it took.
    func post<Body: Encodable, Answer: Decodable>(
        _ path: String, secret: String, body: Body, as: Answer.Type
    ) async throws -> (Answer, retries: Int) {
        let payload = try JSONEncoder.demo.encode(body)
        var attempt = 0
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: baseURL + path)
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer " + secret)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: payload))
            do {
                let response = try await client.execute(request, timeout: .seconds(10))
                let bytes = try await response.body.collect(upTo: 4 << 20)
                let status = Int(response.status.code)
                if status == 200 {
                    return (try JSONDecoder().decode(Answer.self, from: Data(buffer: bytes)), attempt - 1)
                }
                let failure = Failure(status: status, body: String(buffer: bytes))
                guard status >= 500 || status == 429, attempt < 6 else { throw failure }
            } catch let failure as Failure {
                throw failure
            } catch {
                guard attempt < 6 else { throw error }
            }
            try await Task.sleep(for: .milliseconds(50 * attempt))
        }
    }
}

extension JSONEncoder {
    static let demo: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = RFC3339.encoding
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}
