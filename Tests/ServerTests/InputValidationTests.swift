import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Server

@Suite("Strict input: 400, 413, 415, 422")
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
            // An enormous name is quoted only in part: the error stays small.
            let long = String(repeating: "k", count: 500_000)
            let huge = try await client.call(.post, "/v1/assignments", key: fixture.admin, json: #"{"deal_id":"d","dealer_id":"x","stage":"s","\#(long)":1}"#)
            #expect(huge.status == 400)
            #expect(huge.isProblem)
            #expect(huge.body.utf8.count < 5_000, "\(huge.body.utf8.count) bytes")
            #expect((huge.json["field"] as? String)?.hasPrefix("kkkk") == true)
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

    @Test("a method a route does not answer → 405 problem with Allow (found by schemathesis' unsupported_method)")
    func methodNotAllowed() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            for (method, uri, allow) in [(HTTPRequest.Method.delete, "/v1/events", "POST"), (.get, "/v1/assignments", "POST"),
                                         (.init("TRACE")!, "/healthz", "GET, HEAD"), (.put, "/v1/hypotheses/h-email/report", "GET, HEAD")] {
                let reply = try await client.call(method, uri, key: fixture.admin)
                #expect(reply.status == 405, "\(method) \(uri)")
                #expect(reply.isProblem)
                #expect(reply.headers[.allow] == allow, "\(method) \(uri)")
            }
            #expect(try await client.call(.delete, "/v1/nothing", key: fixture.admin).status == 404)
            #expect(try await client.call(.delete, "/v1/events").status == 401)
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

    // MARK: Found by scripts/reliability/fuzz.sh (hostile.py)

    @Test(
        "what JSONDecoder forgives is a 400 naming the place: trailing comma, repeated field, unrepresentable number, deep nesting",
        arguments: [
            (#"{"events":[{"deal_id":"deal-a1","type":"x"},]}"#, "events", "trailing comma"),
            (#"{"events":[{"deal_id":"deal-a1","type":"x",}]}"#, "events[0]", "trailing comma"),
            (#"{"events":[{"deal_id":"deal-a1","type":"x","deal_id":"deal-b1"}]}"#, "events[0].deal_id", "twice"),
            (#"{"events":[],"events":[{"deal_id":"deal-a1","type":"x"}]}"#, "events", "twice"),
            (#"{"events":[{"deal_id":"deal-a1","type":"x","value":1e400}]}"#, "events[0].value", "out of range"),
            (#"{"events":[{"deal_id":"deal-a1","type":"x","value":-1e-400}]}"#, "events[0].value", "out of range"),
            (#"{"events":[{"deal_id":"deal-a1","type":"x","value":1e99999999999}]}"#, "events[0].value", "out of range"),
            (#"{"events":[{"deal_id":"deal-a1","type":"x","value":123456789012345678901234567890123456789012}]}"#,
             "events[0].value", "significant digits"),
            (#"{"events":[{"deal_id":"deal-a\ud800","type":"x"}]}"#, "events[0].deal_id", "surrogate"),
        ])
    func lenientJSON(body: String, field: String, words: String) async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let reply = try await client.call(.post, "/v1/events", key: fixture.admin, json: body)
            #expect(reply.status == 400, "\(reply.body)")
            #expect(reply.isProblem)
            #expect(reply.json["field"] as? String == field, "\(reply.body)")
            #expect((reply.json["detail"] as? String ?? "").contains(words), "\(reply.body)")
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 0)
    }

    @Test("100,000 levels of nesting → 400, and the server keeps answering")
    func deepNesting() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let balanced = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            for body in [balanced, #"{"events":"# + balanced + "}", String(repeating: #"{"a":"#, count: 100_000)] {
                let reply = try await client.call(.post, "/v1/events", key: fixture.admin, json: body)
                #expect(reply.status == 400)
                #expect(reply.isProblem)
            }
            let nested = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":"# + balanced + "}")
            #expect((nested.json["detail"] as? String ?? "").contains("nested deeper than"), "\(nested.body)")
            #expect(try await client.call(.get, "/healthz").status == 200)
        }
    }

    @Test("a charset other than UTF-8 → 415; charset=utf-8 is accepted")
    func charset() async throws {
        let fixture = try ServerFixture.make()
        let body = #"{"events":[{"event_id":"c1","deal_id":"deal-a1","type":"x"}]}"#
        try await fixture.withServer { client in
            for contentType in ["application/json; charset=latin1", "application/json; charset=utf-16", "application/json;charset=\"iso-8859-1\""] {
                let reply = try await client.call(.post, "/v1/events", key: fixture.admin, json: body, contentType: contentType)
                #expect(reply.status == 415, "\(contentType)")
                #expect(reply.isProblem)
                #expect((reply.json["detail"] as? String ?? "").contains("charset"))
            }
            #expect(try fixture.count("SELECT count(*) FROM events") == 0)
            let utf8 = try await client.call(.post, "/v1/events", key: fixture.admin, json: body, contentType: "application/json; charset=UTF-8")
            #expect(utf8.status == 200, "\(utf8.body)")
        }
    }

    @Test(
        "an occurred_at that does not exist or is not RFC 3339 → 422, never rolled over to another day",
        arguments: ["2026-02-30T10:00:00Z", "2025-02-29T10:00:00Z", "2025-06-31T00:00:00Z", "2025-06-01T24:00:00Z",
                    "2025-06-01T23:60:00Z", "2025-06-01T23:59:60Z", "2025-06-01T10:00:00+05:60", "2025-06-01T10:00:00Z\n",
                    "2025-06-01T10:00:00", "2025-06-01T10:00:00-0930", "2025-06-01T10:00:00+03", "2025-06-01T10:00:00+03:00:00",
                    "2025-06-01T10:00:00+03:0", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1000000000000"])
    func impossibleTimes(time: String) async throws {
        let fixture = try ServerFixture.make()
        let body = try String(decoding: JSONSerialization.data(withJSONObject: [
            "events": [["deal_id": "deal-a1", "type": "x", "occurred_at": time]]]), as: UTF8.self)
        try await fixture.withServer { client in
            let reply = try await client.call(.post, "/v1/events", key: fixture.admin, json: body)
            #expect(reply.status == 422, "\(reply.body)")
            #expect(reply.json["field"] as? String == "events[0].occurred_at")
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 0)
    }

    @Test("real instants in every accepted form are stored as that instant")
    func realTimes() async throws {
        let fixture = try ServerFixture.make()
        let cases = [("2024-02-29T12:00:00+03:00", "2024-02-29 09:00:00+00"), ("2000-01-01T00:00:00Z", "2000-01-01 00:00:00+00"),
                     ("2025-06-01t10:00:00.25z", "2025-06-01 10:00:00.25+00"), ("2025-06-01T10:00:00-09:30", "2025-06-01 19:30:00+00"),
                     ("2025-12-31T23:59:59.123456789Z", "2025-12-31 23:59:59.123457+00")]
        try await fixture.withServer { client in
            for (index, (time, _)) in cases.enumerated() {
                let reply = try await client.call(
                    .post, "/v1/events", key: fixture.admin,
                    json: #"{"events":[{"event_id":"t\#(index)","deal_id":"deal-a1","type":"x","occurred_at":"\#(time)"}]}"#)
                #expect(reply.status == 200, "\(time): \(reply.body)")
            }
        }
        let connection = try fixture.database.connect()
        try connection.execute("SET TIME ZONE 'UTC'")
        for (index, (time, stored)) in cases.enumerated() {
            let text = try connection.query("SELECT occurred_at::text FROM events WHERE event_id = $1", ["t\(index)"]).scalar(String.self)
            #expect(text == stored, "\(time)")
        }
    }

    @Test("ids count code points like PostgreSQL: 129 code points in 43 characters → 422 naming the field, not a database error")
    func codePoints() async throws {
        let fixture = try ServerFixture.make()
        let long = String(repeating: "x\u{337}\u{337}", count: 43)
        try await fixture.withServer { client in
            let event = try await client.call(
                .post, "/v1/events", key: fixture.admin, json: #"{"events":[{"event_id":"\#(long)","deal_id":"deal-a1","type":"x"}]}"#)
            #expect(event.status == 422)
            #expect(event.json["field"] as? String == "events[0].event_id", "\(event.body)")
            let deal = try await client.call(
                .post, "/v1/assignments", key: fixture.admin, json: #"{"deal_id":"\#(long)","dealer_id":"dealer-a","stage":"first-visit"}"#)
            #expect(deal.status == 422)
            #expect(deal.json["field"] as? String == "deal_id", "\(deal.body)")
        }
    }

    @Test("Unicode ids are stored verbatim; a decomposed (non-NFC) id → 422")
    func unicodeIDs() async throws {
        let fixture = try ServerFixture.make()
        try fixture.insertRunningHypothesis()
        let verbatim = ["сделка-001", "🚗-deal-💥", "صفقة\u{200F}-42", "q\u{323}\u{307}-1", String(repeating: "ж", count: 128)]
        try await fixture.withServer { client in
            for id in verbatim {
                let reply = try await client.call(
                    .post, "/v1/assignments", key: fixture.dealerA,
                    json: #"{"deal_id":"\#(id)","dealer_id":"dealer-a","stage":"first-visit"}"#)
                #expect(reply.status == 200, "\(id): \(reply.body)")
            }
            for (field, body) in [
                ("deal_id", #"{"deal_id":"cafe\u0301","dealer_id":"dealer-a","stage":"first-visit"}"#),
                ("dealer_id", #"{"deal_id":"nfd-dealer","dealer_id":"\u0438\u0306","stage":"first-visit"}"#),
            ] {
                let reply = try await client.call(.post, "/v1/assignments", key: fixture.admin, json: body)
                #expect(reply.status == 422, "\(reply.body)")
                #expect(reply.json["field"] as? String == field)
                #expect((reply.json["detail"] as? String ?? "").contains("NFC"))
            }
        }
        for id in verbatim {
            #expect(try fixture.count("SELECT count(*) FROM deals WHERE deal_id = $1", [id]) == 1, "\(id)")
        }
        #expect(try fixture.count("SELECT count(*) FROM deals WHERE deal_id IN ('cafe\u{301}', 'nfd-dealer')") == 0)
    }

    @Test("a dealer cannot reach another dealer's deal through a canonically equivalent id")
    func canonicalEquivalence() async throws {
        let fixture = try ServerFixture.make()
        // Dealer B's deal "café" written decomposed, as it could have been stored before ids had to be NFC.
        try fixture.insertDeal("caf\u{E9}", dealer: ServerFixture.dealerAID)
        try fixture.insertDeal("cafe\u{301}", dealer: ServerFixture.dealerBID)
        try await fixture.withServer { client in
            let reply = try await client.call(
                .post, "/v1/events", key: fixture.dealerA,
                json: #"{"events":[{"event_id":"own","deal_id":"caf\u00e9","type":"x"},{"event_id":"theirs","deal_id":"cafe\u0301","type":"x"}]}"#)
            #expect(reply.status == 422 || reply.status == 403, "\(reply.body)")
        }
        #expect(try fixture.count("SELECT count(*) FROM events WHERE deal_id = $1", ["cafe\u{301}"]) == 0)
    }

    @Test("a request the HTTP/1 parser refuses → 400 problem+json and Connection: close, not an empty 400")
    func framing() async throws {
        let fixture = try ServerFixture.make()
        let key = fixture.admin
        try await fixture.withServer { client in
            let port = try #require(client.port)
            let requests = [
                "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n",
                "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}",
                "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
                "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                "NOT-HTTP\r\n\r\n",
            ]
            for request in requests {
                let reply = try await RawHTTP.exchange(port: port, Array(request.utf8))
                #expect(reply.hasPrefix("HTTP/1.1 400 "), "\(request.prefix(60)): \(reply.prefix(200))")
                #expect(reply.contains("Content-Type: application/problem+json"), "\(request.prefix(60)): \(reply.prefix(200))")
                #expect(reply.contains("Connection: close"))
                #expect(reply.contains(#""status":400"#))
            }
            #expect(try await client.call(.get, "/healthz").status == 200)
        }
    }

    @Test("HTTP/1.1 without Host, or any request with two → 400 problem+json, nothing stored; HTTP/1.0 without Host is served and closed")
    func hostHeader() async throws {
        let fixture = try ServerFixture.make()
        let key = fixture.admin
        let body = #"{"events":[{"event_id":"hostless","deal_id":"deal-a1","type":"x"}]}"#
        let post = "POST /v1/events HTTP/1.1\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        try await fixture.withServer { client in
            let port = try #require(client.port)
            let refused = [
                ("GET /healthz HTTP/1.1\r\n\r\n", "needs a Host header"),
                (post + "\r\n" + body, "needs a Host header"),
                (post + "Host: a\r\nHost: b\r\n\r\n" + body, "2 Host headers"),
                ("GET /healthz HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", "2 Host headers"),
                ("GET /healthz HTTP/1.1\r\nHost: a, b\r\n\r\n", "not one host name"),
                // After a good request on the same connection: its answer first, then the 400.
                ("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + post + "\r\n" + body, "needs a Host header"),
            ]
            for (request, message) in refused {
                let reply = try await RawHTTP.exchange(port: port, Array(request.utf8))
                let statuses = reply.matches(of: /HTTP\/1\.1 (\d{3}) [A-Za-z ]+\r\n/).map { String($0.output.1) }
                #expect(statuses.last == "400", "\(request.prefix(40)): \(reply.prefix(300))")
                #expect(statuses.count == (request.hasPrefix("GET /healthz HTTP/1.1\r\nHost: x") ? 2 : 1), "\(reply.prefix(600))")
                #expect(reply.contains("Content-Type: application/problem+json"), "\(reply.prefix(300))")
                #expect(reply.contains(message), "\(reply.prefix(300))")
                #expect(reply.contains("Connection: close"))
            }
            // HTTP/1.0 needs no Host, and its connection closes after the answer unless it asked for keep-alive
            // (RawHTTP reads to the close: without it, this would wait for the idle timeout).
            let start = ContinuousClock.now
            let old = try await RawHTTP.exchange(port: port, Array("GET /healthz HTTP/1.0\r\n\r\n".utf8))
            #expect(old.hasPrefix("HTTP/1.1 200 "), "\(old.prefix(200))")
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(try await client.call(.get, "/healthz").status == 200)
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 0)
    }

    @Test("bad bytes after a complete request on the same connection: its answer, then a 400 problem, then close")
    func pipelinedFramingError() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let port = try #require(client.port)
            for tail in ["GARBAGE\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n"] {
                let reply = try await RawHTTP.exchange(port: port, Array(("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + tail).utf8))
                // Status lines only (the 400's detail itself says "HTTP/1.1").
                let statuses = reply.matches(of: /HTTP\/1\.1 (\d{3}) [A-Za-z ]+\r\n/).map { String($0.output.1) }
                #expect(statuses == ["200", "400"], "\(reply.prefix(600))")
                let second = try #require(reply.range(of: "HTTP/1.1 400 Bad Request"))
                #expect(reply[second.upperBound...].contains("Content-Type: application/problem+json"), "\(reply.prefix(600))")
                #expect(reply[second.upperBound...].contains(#""status":400"#))
            }
            #expect(try await client.call(.get, "/healthz").status == 200)
        }
    }

    @Test("a malformed chunked body → 400 problem (was a 500), nothing stored")
    func malformedChunks() async throws {
        let fixture = try ServerFixture.make()
        let key = fixture.admin
        let body = #"{"events":[{"event_id":"chunked","deal_id":"deal-a1","type":"x"}]}"#
        try await fixture.withServer { client in
            let port = try #require(client.port)
            let head = "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            for chunks in ["\(String(body.utf8.count, radix: 16))\r\n\(body)\r\nzz\r\n\r\n0\r\n\r\n", "5\r\n\(body)\r\n0\r\n\r\n"] {
                let reply = try await RawHTTP.exchange(port: port, Array((head + chunks).utf8))
                #expect(reply.hasPrefix("HTTP/1.1 400 "), "\(reply.prefix(300))")
                #expect(reply.contains("Content-Type: application/problem+json"))
            }
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 0)
    }
}
