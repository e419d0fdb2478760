import Foundation
import Hummingbird
import HummingbirdTesting
import JourneyLab
import Postgres
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

    @Test("a deal closes once: a second close under another key → 409 naming it, stored or in the batch; a retry is a duplicate")
    func dealClosesOnce() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let won = #"{"events":[{"event_id":"w1","deal_id":"deal-a1","type":"closed_won","value":10}]}"#
            #expect(try await client.call(.post, "/v1/events", key: fixture.dealerA, json: won).status == 200)
            let retry = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: won)
            #expect(retry.status == 200)
            #expect(retry.json["duplicates"] as? Int == 1)
            // Lost after won, under a new event_id and without one; won again under a new event_id.
            for close in [
                #"{"event_id":"l1","deal_id":"deal-a1","type":"closed_lost"}"#,
                #"{"deal_id":"deal-a1","type":"closed_lost"}"#,
                #"{"event_id":"w2","deal_id":"deal-a1","type":"closed_won"}"#,
            ] {
                let reply = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: """
                    {"events":[{"event_id":"x1","deal_id":"deal-a2","type":"addon_purchased","value":5},\(close)]}
                    """)
                #expect(reply.status == 409, "\(close)")
                #expect(reply.isProblem)
                #expect(reply.json["field"] as? String == "events[1].type")
                #expect(reply.body.contains(#"events[1] would close deal \"deal-a1\" a second time: a stored closed_won event (event_id \"w1\")"#), "\(reply.body)")
            }
            // Two closes of one deal in one batch: the first is named.
            let both = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: """
                {"events":[{"deal_id":"deal-a2","type":"closed_won"},{"deal_id":"deal-a2","type":"closed_lost"}]}
                """)
            #expect(both.status == 409)
            #expect(both.body.contains("events[1] would close deal"), "\(both.body)")
            #expect(both.body.contains("events[0] of this batch (closed_won)"), "\(both.body)")
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 1)
        // The database holds the rule itself, for writers that skip the API's check.
        #expect(throws: PGError.self) {
            try fixture.database.connect().execute(
                """
                INSERT INTO events (deal_id, idempotency_key, type, occurred_at, payload_hash, enrolled)
                VALUES ('deal-a1', 'id:sneaky', 'closed_lost', now(), 'x', false)
                """)
        }
    }

    @Test("concurrent closes of one deal under different keys: exactly one is stored, the rest are 409")
    func concurrentCloses() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let type = index % 2 == 0 ? "closed_won" : "closed_lost"
                        return try await client.call(.post, "/v1/events", key: fixture.admin, json: """
                            {"events":[{"event_id":"race-\(index)","deal_id":"deal-a1","type":"\(type)"}]}
                            """).status
                    }
                }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                return statuses.sorted()
            }
            #expect(statuses == [200] + Array(repeating: 409, count: 11))
        }
        #expect(try fixture.count("SELECT count(*) FROM events WHERE deal_id = 'deal-a1'") == 1)
    }

    @Test("a close racing another writer's close of the same deal (not yet committed when checked) → 409, not a 500")
    func closeRacingAnUncommittedClose() async throws {
        let fixture = try ServerFixture.make()
        // The other writer's close is in, uncommitted: the API's check cannot see it, its insert waits on the index.
        let other = try fixture.database.connect()
        try other.simpleQuery(
            """
            BEGIN;
            INSERT INTO events (deal_id, idempotency_key, event_id, type, occurred_at, payload_hash, enrolled)
            VALUES ('deal-a1', 'id:other', 'other', 'closed_won', now(), 'x', false);
            """)
        try await fixture.withServer { client in
            let reply = Task {
                try await client.call(.post, "/v1/events", key: fixture.dealerA, json: """
                    {"events":[{"event_id":"mine","deal_id":"deal-a1","type":"closed_lost"},
                               {"event_id":"x2","deal_id":"deal-a2","type":"addon_purchased","value":1}]}
                    """)
            }
            // Commit once the API's insert waits on the other writer's row (its check saw nothing to refuse).
            let watcher = try fixture.database.connect()
            for _ in 0..<400 {
                let waiting = try watcher.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                ).scalar(Int.self)
                if waiting > 0 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try other.simpleQuery("COMMIT")
            let answer = try await reply.value
            #expect(answer.status == 409, "\(answer.body)")
            #expect(answer.isProblem)
            #expect(answer.body.contains("closed by another request at the same moment"), "\(answer.body)")
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
