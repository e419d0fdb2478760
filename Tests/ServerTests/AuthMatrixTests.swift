import Foundation
import Hummingbird
import HummingbirdTesting
import JourneyLab
import Testing

@testable import Server

@Suite("Auth: role × route × own/other dealer")
struct AuthMatrixTests {
    @Test("missing, malformed, unknown and revoked keys → 401 on every protected route")
    func unauthorized() async throws {
        let fixture = try ServerFixture.make()
        let revoked = try APIKeys.create(role: .admin, dealerID: nil, name: "old", actor: "test", fixture.database.connect())
        try APIKeys.revoke(revoked.id, actor: "test", fixture.database.connect())
        let routes: [(HTTPRequest.Method, String)] = [
            (.post, "/v1/assignments"), (.post, "/v1/events"), (.get, "/v1/hypotheses"), (.get, "/v1/hypotheses/h-email"),
            (.get, "/v1/hypotheses/h-email/report"), (.get, "/reports/h-email"),
        ]
        try await fixture.withServer { client in
            for (method, path) in routes {
                for key in [nil, "nonsense", "jl_" + String(repeating: "0", count: 64), revoked.secret] {
                    let reply = try await client.call(method, path, key: key, json: method == .post ? "{}" : nil)
                    #expect(reply.status == 401, "\(method) \(path) with \(key == nil ? "no key" : "a bad key")")
                    #expect(reply.isProblem)
                }
            }
        }
    }

    @Test("events: dealer own 200, dealer other 403, analyst 403, admin 200")
    func eventsMatrix() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let own = #"{"events":[{"deal_id":"deal-a1","type":"closed_won"}]}"#
            let other = #"{"events":[{"deal_id":"deal-b1","type":"closed_won"}]}"#
            let status1 = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: own).status
            #expect(status1 == 200)
            let forbidden = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: other)
            #expect(forbidden.status == 403)
            #expect(forbidden.isProblem)
            let status2 = try await client.call(.post, "/v1/events", key: fixture.dealerB, json: other).status
            #expect(status2 == 200)
            let status3 = try await client.call(.post, "/v1/events", key: fixture.analyst, json: own).status
            #expect(status3 == 403)
            let status4 = try await client.call(.post, "/v1/events", key: fixture.admin, json: #"{"events":[{"deal_id":"deal-a2","type":"x"}]}"#).status
            #expect(status4 == 200)
        }
        #expect(try fixture.count("SELECT count(*) FROM events WHERE deal_id = 'deal-b1'") == 1)
    }

    @Test("assignments: analyst 403, dealer for another dealer_id 403, dealer on another dealer's deal 403")
    func assignmentsForbidden() async throws {
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let body = #"{"deal_id":"deal-new","dealer_id":"dealer-a","stage":"first-visit"}"#
            let status5 = try await client.call(.post, "/v1/assignments", key: fixture.analyst, json: body).status
            #expect(status5 == 403)
            let status6 = try await client.call(.post, "/v1/assignments", key: fixture.dealerB, json: body).status
            #expect(status6 == 403)
            let stolen = #"{"deal_id":"deal-b1","dealer_id":"dealer-a","stage":"first-visit"}"#
            let status7 = try await client.call(.post, "/v1/assignments", key: fixture.dealerA, json: stolen).status
            #expect(status7 == 403)
        }
    }

    @Test("reads: analyst and admin 200, dealer 403")
    func readsMatrix() async throws {
        let fixture = try ServerFixture.make()
        try fixture.insertRunningHypothesis()
        try await fixture.withServer(reports: StubReports()) { client in
            for path in ["/v1/hypotheses", "/v1/hypotheses/h-email", "/v1/hypotheses/h-email/report", "/reports/h-email"] {
                let status8 = try await client.call(.get, path, key: fixture.analyst).status
                #expect(status8 == 200, "\(path)")
                let status9 = try await client.call(.get, path, key: fixture.admin).status
                #expect(status9 == 200, "\(path)")
                let dealer = try await client.call(.get, path, key: fixture.dealerA)
                #expect(dealer.status == 403, "\(path)")
                #expect(dealer.isProblem)
            }
        }
    }

    @Test("a key revoked while the server runs is refused at once")
    func revocationTakesEffect() async throws {
        let fixture = try ServerFixture.make()
        let created = try APIKeys.create(role: .analyst, dealerID: nil, name: "temp", actor: "test", fixture.database.connect())
        try await fixture.withServer { client in
            let status10 = try await client.call(.get, "/v1/hypotheses", key: created.secret).status
            #expect(status10 == 200)
            try APIKeys.revoke(created.id, actor: "test", fixture.database.connect())
            let status11 = try await client.call(.get, "/v1/hypotheses", key: created.secret).status
            #expect(status11 == 401)
        }
    }
}
