import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Server

/// Exercise the real `Scheduler.assign` (the scheduler issue); they pass once it is merged.
@Suite("POST /v1/assignments")
struct AssignmentRouteTests {
    @Test("a dealer enrolls its deal; a repeat returns the same arm")
    func assignAndRepeat() async throws {
        let fixture = try ServerFixture.make()
        try fixture.insertRunningHypothesis()
        try await fixture.withServer { client in
            let body = #"{"deal_id":"deal-new","dealer_id":"dealer-a","stage":"first-visit","segment":"family-men-30"}"#
            let first = try await client.call(.post, "/v1/assignments", key: fixture.dealerA, json: body)
            #expect(first.status == 200)
            #expect(first.json["deal_id"] as? String == "deal-new")
            let assignments = first.json["assignments"] as? [[String: Any]] ?? []
            #expect(assignments.count == 1)
            #expect(assignments.first?["hypothesis_id"] as? String == "h-email")
            let arm = assignments.first?["arm"] as? String
            #expect(arm == "control" || arm == "treatment")
            #expect((assignments.first?["apply"] as? Bool) == (arm == "treatment"))
            let again = try await client.call(.post, "/v1/assignments", key: fixture.dealerA, json: body)
            #expect(((again.json["assignments"] as? [[String: Any]])?.first?["arm"] as? String) == arm)
        }
    }

    @Test("a stage no journey has: the deal is stored, with a warning naming the stage; a known stage gets none")
    func unknownStageWarns() async throws {
        let fixture = try ServerFixture.make()
        try fixture.insertRunningHypothesis()  // journey car-x with stage first-visit
        try await fixture.withServer { client in
            let typo = try await client.call(
                .post, "/v1/assignments", key: fixture.dealerA, json: #"{"deal_id":"deal-typo","dealer_id":"dealer-a","stage":"frist-visit"}"#)
            #expect(typo.status == 200)
            #expect((typo.json["assignments"] as? [Any])?.isEmpty == true)
            let warnings = typo.json["warnings"] as? [String] ?? []
            #expect(warnings.count == 1 && warnings[0].contains(#"no journey has a stage "frist-visit""#), "\(typo.body)")
            // Asked again (now answered from the cache): the same warning.
            let again = try await client.call(
                .post, "/v1/assignments", key: fixture.dealerA, json: #"{"deal_id":"deal-typo-2","dealer_id":"dealer-a","stage":"frist-visit"}"#)
            #expect((again.json["warnings"] as? [String]) == warnings)
            // Enrolled at a known stage: no warnings member at all.
            let known = try await client.call(
                .post, "/v1/assignments", key: fixture.dealerA, json: #"{"deal_id":"deal-ok","dealer_id":"dealer-a","stage":"first-visit"}"#)
            #expect(known.status == 200 && known.json["warnings"] == nil, "\(known.body)")
        }
        #expect(try fixture.count("SELECT count(*) FROM deals WHERE deal_id IN ('deal-typo', 'deal-typo-2')") == 2)
    }

    @Test("invalid stage → 422 naming the field")
    func invalidStage() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let reply = try await client.call(.post, "/v1/assignments", key: fixture.admin, json: #"{"deal_id":"d1","dealer_id":"x","stage":"Not A Slug"}"#)
            #expect(reply.status == 422)
            #expect(reply.json["field"] as? String == "stage")
        }
    }

    @Test("an attribute key with a control character or none at all → 422, no deal stored")
    func invalidAttributeKeys() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            for attributes in [#"{"a\u0001":"x"}"#, #"{"":"x"}"#] {
                let reply = try await client.call(
                    .post, "/v1/assignments", key: fixture.admin,
                    json: #"{"deal_id":"attr-1","dealer_id":"x","stage":"first-visit","attributes":\#(attributes)}"#)
                #expect(reply.status == 422, "\(attributes): \(reply.body)")
                #expect(reply.json["field"] as? String == "attributes")
            }
        }
        #expect(try fixture.count("SELECT count(*) FROM deals WHERE deal_id = 'attr-1'") == 0)
    }
}
