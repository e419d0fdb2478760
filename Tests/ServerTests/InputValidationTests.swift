import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Server

@Suite("Strict input: 400, 413, 415")
struct InputValidationTests {
    @Test("unknown field → 400 naming it")
    func unknownField() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let reply = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":[{"deal_id":"deal-a1","type":"x","colour":"red"}]}"#)
            #expect(reply.status == 400)
            #expect(reply.isProblem)
            #expect(reply.json["field"] as? String == "events[0].colour")
            let top = try await client.call(.post, "/v1/assignments", key: fixture.admin, json: #"{"deal_id":"d","dealer_id":"x","stage":"s","extra":1}"#)
            #expect(top.status == 400)
            #expect(top.json["field"] as? String == "extra")
        }
    }

    @Test("wrong types and missing fields → 400 naming the field")
    func wrongTypes() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let value = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":[{"deal_id":"deal-a1","type":"x","value":"12"}]}"#)
            #expect(value.status == 400)
            #expect(value.json["field"] as? String == "events[0].value")
            let missing = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":[{"type":"x"}]}"#)
            #expect(missing.status == 400)
            #expect(missing.json["field"] as? String == "events[0].deal_id")
            let notArray = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":{}}"#)
            #expect(notArray.status == 400)
            #expect(notArray.isProblem)
        }
    }

    @Test("malformed JSON, invalid UTF-8 and NUL → 400")
    func malformed() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let status1 = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":["#).status
            #expect(status1 == 400)
            let invalidUTF8: [UInt8] = Array(#"{"events":[{"deal_id":""#.utf8) + [0xC3, 0x28] + Array(#"","type":"x"}]}"#.utf8)
            let utf8Reply = try await client.call(.post, "/v1/events", key: fixture.admin, rawBody: invalidUTF8)
            #expect(utf8Reply.status == 400)
            #expect(utf8Reply.isProblem)
            let nul = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":[{"deal_id":"deal-a1\u0000","type":"x"}]}"#)
            #expect(nul.status == 400)
            #expect(nul.isProblem)
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 0)
    }

    @Test("not JSON → 415")
    func mediaType() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let reply = try await client.call(.post, "/v1/events", key: fixture.admin, json: "deal_id=1", contentType: "application/x-www-form-urlencoded")
            #expect(reply.status == 415)
            #expect(reply.isProblem)
        }
    }

    @Test("body over 1 MiB → 413")
    func tooLarge() async throws {
        let fixture = try ServerFixture.make()
        let padding = String(repeating: "x", count: 1 << 20)
        try await fixture.withServer { client in
            let reply = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":[{"deal_id":"\#(padding)","type":"x"}]}"#)
            #expect(reply.status == 413)
            #expect(reply.isProblem)
        }
    }

    @Test("unknown route → 404 problem")
    func notFound() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let reply = try await client.call(.get, "/nothing-here")
            #expect(reply.status == 404)
            #expect(reply.isProblem)
        }
    }
}
