import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

@testable import Server

/// A small structural check: every response the tests provoke has its status declared for its path and method
/// in openapi.yaml, its content type declared, and the required fields of its schema present.
struct OpenAPISpec {
    let document: [String: Any]

    init() throws {
        let text = try String(contentsOf: OpenAPIDocument().url, encoding: .utf8)
        document = try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    func resolve(_ node: Any?) -> [String: Any]? {
        guard let object = node as? [String: Any] else { return nil }
        guard let reference = object["$ref"] as? String else { return object }
        var current: Any? = document
        for part in reference.dropFirst(2).split(separator: "/") { current = (current as? [String: Any])?[String(part)] }
        return resolve(current)
    }

    /// Problems with the reply, empty when it conforms.
    func check(_ method: String, _ path: String, _ reply: Reply) -> [String] {
        guard let operation = resolve((document["paths"] as? [String: Any])?[path])?[method.lowercased()] as? [String: Any] else {
            return ["\(method) \(path) is not in openapi.yaml"]
        }
        guard let response = resolve((operation["responses"] as? [String: Any])?[String(reply.status)]) else {
            return ["\(method) \(path): status \(reply.status) is not declared"]
        }
        guard let content = response["content"] as? [String: Any] else { return [] }
        let mediaType = reply.contentType.split(separator: ";").first.map(String.init) ?? ""
        guard let media = resolve(content[mediaType]) else {
            return ["\(method) \(path) \(reply.status): content type \(mediaType) is not declared (\(content.keys.sorted()))"]
        }
        guard let schema = resolve(media["schema"]), mediaType.hasSuffix("json") else { return [] }
        return missingFields(reply.json, schema, at: "body")
    }

    func missingFields(_ value: Any?, _ schema: [String: Any], at path: String) -> [String] {
        var problems: [String] = []
        if let object = value as? [String: Any] {
            for field in schema["required"] as? [String] ?? [] where object[field] == nil {
                problems.append("\(path).\(field) is required")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (name, child) in object {
                if let childSchema = resolve(properties[name]) { problems += missingFields(child, childSchema, at: "\(path).\(name)") }
            }
        } else if let array = value as? [Any], let items = resolve(schema["items"]) {
            for (index, item) in array.enumerated() { problems += missingFields(item, items, at: "\(path)[\(index)]") }
        }
        return problems
    }
}

@Suite("OpenAPI conformance")
struct OpenAPIConformanceTests {
    @Test("responses match openapi.yaml: statuses, content types, required fields")
    func conformance() async throws {
        let fixture = try ServerFixture.make()
        try fixture.insertRunningHypothesis()
        let calls: [(HTTPRequest.Method, String, String, String?, String?)] = [
            (.get, "/healthz", "/healthz", nil, nil),
            (.get, "/readyz", "/readyz", nil, nil),
            (.get, "/metrics", "/metrics", nil, nil),
            (.get, "/openapi.yaml", "/openapi.yaml", nil, nil),
            (.post, "/v1/events", "/v1/events", fixture.dealerA, #"{"events":[{"deal_id":"deal-a1","type":"closed_won"}]}"#),
            (.post, "/v1/events", "/v1/events", fixture.dealerA, #"{"events":[{"deal_id":"deal-b1","type":"closed_won"}]}"#),
            (.post, "/v1/events", "/v1/events", fixture.dealerA, #"{"events":[{"deal_id":"zz","type":"closed_won"}]}"#),
            (.post, "/v1/events", "/v1/events", fixture.dealerA, #"{"events":[{"deal_id":"deal-a1","type":"closed_won","x":1}]}"#),
            (.post, "/v1/events", "/v1/events", nil, #"{"events":[]}"#),
            (.post, "/v1/assignments", "/v1/assignments", fixture.analyst, #"{"deal_id":"d","dealer_id":"x","stage":"s"}"#),
            (.get, "/v1/hypotheses", "/v1/hypotheses", fixture.analyst, nil),
            (.get, "/v1/hypotheses/h-email", "/v1/hypotheses/{id}", fixture.analyst, nil),
            (.get, "/v1/hypotheses/nope", "/v1/hypotheses/{id}", fixture.analyst, nil),
            (.get, "/v1/hypotheses/h-email/report", "/v1/hypotheses/{id}/report", fixture.analyst, nil),
            (.get, "/reports/h-email", "/reports/{id}", fixture.dealerA, nil),
        ]
        try await fixture.withServer { client in
            let spec = try OpenAPISpec()
            for (method, uri, path, key, body) in calls {
                let reply = try await client.call(method, uri, key: key, json: body)
                let problems = spec.check(method.rawValue, path, reply)
                #expect(problems.isEmpty, "\(method) \(uri) → \(reply.status): \(problems)")
            }
        }
    }

    @Test("every route the server has is in openapi.yaml")
    func everyRouteDocumented() throws {
        let spec = try OpenAPISpec()
        let paths = Set((spec.document["paths"] as? [String: Any] ?? [:]).keys)
        #expect(paths == [
            "/v1/assignments", "/v1/events", "/v1/hypotheses", "/v1/hypotheses/{id}", "/v1/hypotheses/{id}/report",
            "/reports/{id}", "/healthz", "/readyz", "/metrics", "/openapi.yaml",
        ])
    }
}
