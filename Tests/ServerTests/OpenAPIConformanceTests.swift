import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

@testable import Server

/// A structural check: every response the tests provoke has its status declared for its path and method in
/// openapi.yaml, its content type declared, and a body that fits its schema — required fields present, and
/// every field the schema describes of its type (string, number, integer, boolean, object, array), null only
/// where nullable, within its enum and its array length bounds.
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
        return mismatches(reply.json as Any, schema, at: "body")
    }

    func mismatches(_ value: Any, _ schema: [String: Any], at path: String) -> [String] {
        if value is NSNull {
            return schema["nullable"] as? Bool == true ? [] : ["\(path) is null but not nullable"]
        }
        if let type = schema["type"] as? String, !Self.value(value, hasType: type) {
            return ["\(path) is \(value) but the schema says \(type)"]
        }
        var problems: [String] = []
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { "\($0)" == "\(value)" }) {
            problems.append("\(path) is \(value), not one of \(allowed)")
        }
        if let object = value as? [String: Any] {
            for field in schema["required"] as? [String] ?? [] where object[field] == nil {
                problems.append("\(path).\(field) is required")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (name, child) in object {
                if let childSchema = resolve(properties[name]) { problems += mismatches(child, childSchema, at: "\(path).\(name)") }
            }
        } else if let array = value as? [Any] {
            if let least = schema["minItems"] as? Int, array.count < least { problems.append("\(path) has fewer than \(least) items") }
            if let most = schema["maxItems"] as? Int, array.count > most { problems.append("\(path) has more than \(most) items") }
            if let items = resolve(schema["items"]) {
                for (index, item) in array.enumerated() { problems += mismatches(item, items, at: "\(path)[\(index)]") }
            }
        }
        return problems
    }

    /// JSONSerialization gives NSNumber for numbers and booleans alike; a boolean's objCType is "c".
    static func value(_ value: Any, hasType type: String) -> Bool {
        let number = value as? NSNumber
        let isBoolean = number.map { String(cString: $0.objCType) == "c" } ?? false
        switch type {
        case "string": return value is String
        case "boolean": return isBoolean
        case "number": return number != nil && !isBoolean
        case "integer": return number.map { !isBoolean && $0.doubleValue.rounded() == $0.doubleValue } ?? false
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        default: return true
        }
    }
}

@Suite("OpenAPI conformance")
struct OpenAPIConformanceTests {
    @Test("responses match openapi.yaml: statuses, content types, body schemas")
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
            // Enrolled and resolved deals at two dealers, so the report has rates, p-values, a stratified
            // analysis and a timeline to check, not only nulls.
            for (key, dealer) in [(fixture.dealerA, ServerFixture.dealerAID), (fixture.dealerB, ServerFixture.dealerBID)] {
                for index in 0..<6 {
                    let deal = "conf-\(dealer)-\(index)"
                    let enrolled = try await client.call(
                        .post, "/v1/assignments", key: key, json: #"{"deal_id":"\#(deal)","dealer_id":"\#(dealer)","stage":"first-visit"}"#)
                    #expect(spec.check("POST", "/v1/assignments", enrolled).isEmpty && enrolled.status == 200, "\(enrolled.body)")
                    let outcome = index % 3 == 0 ? "closed_lost" : "closed_won"
                    let addon = index % 2 == 0 ? #",{"deal_id":"\#(deal)","type":"addon_purchased","value":\#(index * 1000 + 500)}"# : ""
                    let events = try await client.call(
                        .post, "/v1/events", key: key, json: #"{"events":[{"deal_id":"\#(deal)","type":"\#(outcome)"}\#(addon)]}"#)
                    #expect(events.status == 200, "\(events.body)")
                }
            }
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
