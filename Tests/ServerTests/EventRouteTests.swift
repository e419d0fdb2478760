import Foundation
import Hummingbird
import HummingbirdTesting
import JourneyLab
import Testing

@testable import Server

@Suite("POST /v1/events")
struct EventRouteTests {
    @Test("a batch is stored; unenrolled deals are flagged")
    func storesBatch() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let reply = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: """
                {"events":[{"event_id":"e1","deal_id":"deal-a1","type":"stage_reached","stage":"first-visit","occurred_at":"2025-03-01T10:00:00Z"},
                           {"deal_id":"deal-a2","type":"addon_purchased","value":1234.5},
                           {"deal_id":"deal-a1","type":"closed_won","value":2500000}]}
                """)
            #expect(reply.status == 200)
            #expect(reply.json["accepted"] as? Int == 3)
            #expect(reply.json["duplicates"] as? Int == 0)
            #expect(reply.json["unenrolled"] as? Int == 3)
        }
        #expect(try fixture.count("SELECT count(*) FROM events WHERE NOT enrolled") == 3)
        #expect(try fixture.count("SELECT count(*) FROM events WHERE value = 1234.50 AND source = 'api'") == 1)
    }

    @Test("the same batch three times is stored once")
    func idempotentRetries() async throws {
        let fixture = try ServerFixture.make()
        let batch = """
            {"events":[{"event_id":"e1","deal_id":"deal-a1","type":"closed_won","value":10},
                       {"deal_id":"deal-a2","type":"stage_reached","stage":"test-drive"}]}
            """
        try await fixture.withServer { client in
            var duplicates: [Int] = []
            for _ in 0..<3 {
                let reply = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: batch)
                #expect(reply.status == 200)
                duplicates.append(reply.json["duplicates"] as? Int ?? -1)
            }
            #expect(duplicates == [0, 2, 2])
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 2)
    }

    @Test("concurrent identical batches store each event once")
    func concurrentDuplicates() async throws {
        let fixture = try ServerFixture.make()
        let events = (0..<50).map { #"{"event_id":"c\#($0)","deal_id":"deal-a\#($0 % 2 + 1)","type":"addon_purchased","value":\#($0)}"# }
        let batch = #"{"events":[\#(events.joined(separator: ","))]}"#
        try await fixture.withServer { client in
            let accepted = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let reply = try await client.call(.post, "/v1/events", key: fixture.admin, json: batch)
                        return (reply.status, reply.json["accepted"] as? Int ?? 0)
                    }
                }
                var total = 0
                for try await (status, accepted) in group {
                    #expect(status == 200)
                    total += accepted
                }
                return total
            }
            #expect(accepted == 50)
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 50)
    }

    @Test("same key, different payload → 409 and nothing of the batch is stored")
    func conflict() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let first = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: #"{"events":[{"event_id":"e1","deal_id":"deal-a1","type":"closed_won","value":10}]}"#)
            #expect(first.status == 200)
            let second = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: """
                {"events":[{"event_id":"e2","deal_id":"deal-a2","type":"closed_won"},
                           {"event_id":"e1","deal_id":"deal-a1","type":"closed_won","value":11}]}
                """)
            #expect(second.status == 409)
            #expect(second.isProblem)
            #expect(second.body.contains("events[1] conflicts with a stored event"))
            #expect(second.json["field"] as? String == "events[1].event_id")
            // Within one batch: the earlier event is named, not "a stored event" (nothing of the batch is stored).
            let within = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: """
                {"events":[{"event_id":"e3","deal_id":"deal-a2","type":"closed_won"},
                           {"event_id":"e3","deal_id":"deal-a2","type":"closed_lost"}]}
                """)
            #expect(within.status == 409)
            #expect(within.body.contains("events[1] conflicts with events[0] of this batch"), "\(within.body)")
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 1)
    }

    @Test("unknown deal → 422 naming the index; nothing stored")
    func unknownDeal() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let reply = try await client.call(.post, "/v1/events", key: fixture.admin, json: """
                {"events":[{"deal_id":"deal-a1","type":"closed_won"},{"deal_id":"nope","type":"closed_won"}]}
                """)
            #expect(reply.status == 422)
            #expect(reply.isProblem)
            #expect(reply.json["field"] as? String == "events[1].deal_id")
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 0)
    }

    @Test(
        "invalid events → 422 naming the field",
        arguments: [
            (#"{"deal_id":"deal-a1","type":"stage_reached"}"#, "events[0].stage"),
            (#"{"deal_id":"deal-a1","type":"Bad Type"}"#, "events[0].type"),
            (#"{"deal_id":"deal-a1","type":"closed_won","value":1e13}"#, "events[0].value"),
            // Stored to the cent, these would be ±1e13 exactly.
            (#"{"deal_id":"deal-a1","type":"closed_won","value":9999999999999.999}"#, "events[0].value"),
            (#"{"deal_id":"deal-a1","type":"closed_won","value":-9999999999999.995}"#, "events[0].value"),
            (#"{"deal_id":"deal-a1","type":"closed_won","occurred_at":"yesterday"}"#, "events[0].occurred_at"),
            (#"{"deal_id":"deal-a1","type":"closed_won","occurred_at":"1999-12-31T23:00:00Z"}"#, "events[0].occurred_at"),
            (#"{"deal_id":"deal-a1","type":"closed_won","occurred_at":"2999-01-01T00:00:00Z"}"#, "events[0].occurred_at"),
            (#"{"deal_id":"","type":"closed_won"}"#, "events[0].deal_id"),
        ])
    func invalidEvents(event: String, field: String) async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let reply = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":[\#(event)]}"#)
            #expect(reply.status == 422)
            #expect(reply.isProblem)
            #expect(reply.json["field"] as? String == field)
        }
    }

    @Test("0 or 1,001 events → 422")
    func batchSize() async throws {
        let fixture = try ServerFixture.make()
        let many = Array(repeating: #"{"deal_id":"deal-a1","type":"x"}"#, count: 1001).joined(separator: ",")
        try await fixture.withServer { client in
            let status1 = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":[]}"#).status
            #expect(status1 == 422)
            let status2 = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":[\#(many)]}"#).status
            #expect(status2 == 422)
        }
    }

    @Test("events on an enrolled deal are stored with enrolled = true")
    func enrolledFlag() async throws {
        let fixture = try ServerFixture.make()
        try fixture.insertRunningHypothesis()
        try fixture.database.connect().execute(
            "INSERT INTO assignments (deal_id, hypothesis_key, arm, stratum, slot) VALUES ('deal-a1', 'h-email', 'control', 'dealer-a', 0)")
        try await fixture.withServer { client in
            let reply = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: #"{"events":[{"deal_id":"deal-a1","type":"closed_won"}]}"#)
            #expect(reply.json["unenrolled"] as? Int == 0)
        }
        #expect(try fixture.count("SELECT count(*) FROM events WHERE enrolled") == 1)
    }
}
