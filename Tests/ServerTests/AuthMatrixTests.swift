import Foundation
import Hummingbird
import HummingbirdTesting
import JourneyLab
import Postgres
import Testing
import Yams

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
            #expect(forbidden.json["field"] as? String == "events[0].deal_id")
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

    // MARK: The whole matrix

    /// Who calls: the eight kinds of caller the contract distinguishes.
    enum Caller: String, CaseIterable, Sendable {
        case noKey, malformedHeader, unknownKey, revokedKey, dealerOwn, dealerOther, analyst, admin
    }

    /// What a route allows, from openapi.yaml's description of roles.
    enum Access: Sendable {
        /// `security: []`: anyone, with or without a key.
        case open
        /// Dealer keys for their own dealer's deals, and admin.
        case dealerWrite
        /// Analyst and admin.
        case read
    }

    /// One route of the matrix: its access rule and a request for it.
    struct Entry: Sendable {
        var access: Access
        var path: String
        /// The body a caller sends (POST); the caller's name keeps ids unique, so stored rows show who wrote.
        var body: (@Sendable (Caller) -> String)?
    }

    /// Every route of the API. A route in openapi.yaml or the router without an entry here fails `everyRoute`.
    static let matrix: [String: Entry] = [
        "GET /healthz": Entry(access: .open, path: "/healthz"),
        "GET /readyz": Entry(access: .open, path: "/readyz"),
        "GET /metrics": Entry(access: .open, path: "/metrics"),
        "GET /openapi.yaml": Entry(access: .open, path: "/openapi.yaml"),
        "POST /v1/assignments": Entry(access: .dealerWrite, path: "/v1/assignments") { caller in
            #"{"deal_id":"mx-\#(caller.rawValue)","dealer_id":"dealer-a","stage":"first-visit"}"#
        },
        "POST /v1/events": Entry(access: .dealerWrite, path: "/v1/events") { caller in
            #"{"events":[{"event_id":"mx-\#(caller.rawValue)","deal_id":"deal-a1","type":"addon_purchased","value":10}]}"#
        },
        "GET /v1/hypotheses": Entry(access: .read, path: "/v1/hypotheses"),
        "GET /v1/hypotheses/{id}": Entry(access: .read, path: "/v1/hypotheses/h-email"),
        "GET /v1/hypotheses/{id}/report": Entry(access: .read, path: "/v1/hypotheses/h-email/report"),
        "GET /reports/{id}": Entry(access: .read, path: "/reports/h-email"),
    ]

    /// The status the contract promises `caller` on a route with `access`.
    static func expectedStatus(_ access: Access, _ caller: Caller) -> Int {
        switch (access, caller) {
        case (.open, _): return 200
        case (_, .noKey), (_, .malformedHeader), (_, .unknownKey), (_, .revokedKey): return 401
        case (.dealerWrite, .dealerOwn), (.dealerWrite, .admin): return 200
        case (.dealerWrite, _): return 403
        case (.read, .analyst), (.read, .admin): return 200
        case (.read, _): return 403
        }
    }

    /// `METHOD /path` of every operation in openapi.yaml, and those declaring `security: []`.
    static func specRoutes() throws -> (all: Set<String>, open: Set<String>) {
        let text = try String(contentsOf: OpenAPIDocument().url, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        var all = Set<String>()
        var open = Set<String>()
        for (path, item) in paths {
            for (method, operation) in try #require(item as? [String: Any])
            where ["get", "put", "post", "delete", "patch", "head", "options"].contains(method) {
                let route = method.uppercased() + " " + path
                all.insert(route)
                if let security = (operation as? [String: Any])?["security"] as? [Any], security.isEmpty { open.insert(route) }
            }
        }
        return (all, open)
    }

    @Test("every route × {no key, malformed, unknown, revoked, dealer own, dealer other, analyst, admin}")
    func everyRoute() async throws {
        let fixture = try ServerFixture.make()
        try fixture.insertRunningHypothesis()
        let revoked = try APIKeys.create(role: .dealer, dealerID: ServerFixture.dealerAID, name: "old", actor: "test", fixture.database.connect())
        try APIKeys.revoke(revoked.id, actor: "test", fixture.database.connect())

        // The matrix covers the spec, and the spec covers the router: a new route needs an entry here.
        let spec = try Self.specRoutes()
        #expect(Set(Self.matrix.keys) == spec.all, "openapi.yaml and the auth matrix list different routes")
        #expect(Set(Self.matrix.filter { $0.value.access == .open }.keys) == spec.open, "open routes differ from security: []")
        let pool = fixture.database.pool(size: 1)
        let router = buildRouter(fixture.configuration(), pool: pool, migrator: try SchemaMigrations.migrator())
        await pool.shutdown()
        let served = Set(router.routes.map { route -> String in
            var path = route.path.description
            if path.count > 1, path.hasSuffix("/") { path.removeLast() }
            return route.method.rawValue + " " + path
        })
        #expect(served == spec.all, "the router and openapi.yaml list different routes")

        let headers = Dictionary(uniqueKeysWithValues: Caller.allCases.map { caller -> (Caller, [String?]) in
            switch caller {
            case .noKey: return (caller, [nil])
            case .malformedHeader: return (caller, ["Basic ZGVhbGVyOnNlY3JldA==", "Bearer", "\(fixture.admin)", "Bearer \(fixture.admin) extra"])
            case .unknownKey: return (caller, ["Bearer jl_" + String(repeating: "7", count: 64), "Bearer nonsense"])
            case .revokedKey: return (caller, ["Bearer \(revoked.secret)"])
            case .dealerOwn: return (caller, ["Bearer \(fixture.dealerA)"])
            case .dealerOther: return (caller, ["Bearer \(fixture.dealerB)"])
            case .analyst: return (caller, ["Bearer \(fixture.analyst)"])
            case .admin: return (caller, ["Bearer \(fixture.admin)"])
            }
        })

        try await fixture.withServer { client in
            for (route, entry) in Self.matrix.sorted(by: { $0.key < $1.key }) {
                let method = HTTPRequest.Method(rawValue: String(route.split(separator: " ")[0]))!
                for caller in Caller.allCases {
                    for authorization in headers[caller]! {
                        var fields: HTTPFields = [:]
                        if let authorization { fields[.authorization] = authorization }
                        var body: ByteBuffer?
                        if let make = entry.body {
                            body = ByteBuffer(string: make(caller))
                            fields[.contentType] = "application/json"
                        }
                        let reply = try await client.execute(uri: entry.path, method: method, headers: fields, body: body) {
                            Reply(status: Int($0.status.code), contentType: $0.headers[.contentType] ?? "", body: String(buffer: $0.body), headers: $0.headers)
                        }
                        let expected = Self.expectedStatus(entry.access, caller)
                        #expect(reply.status == expected, "\(route) as \(caller) (\(authorization ?? "no header")): \(reply.body.prefix(300))")
                        if expected >= 400 { #expect(reply.isProblem, "\(route) as \(caller)") }
                        if expected == 401 { #expect(reply.headers[.wwwAuthenticate] == "Bearer", "\(route) as \(caller)") }
                    }
                }
            }
        }
        // A refused request stored nothing: only the dealer's own and the admin's writes are there.
        let connection = try fixture.database.connect()
        let deals = try connection.query("SELECT deal_id::text FROM deals WHERE deal_id LIKE 'mx-%' ORDER BY 1").rows { try $0.decode(String.self, 0) }
        #expect(deals == ["mx-admin", "mx-dealerOwn"])
        let events = try connection.query("SELECT event_id::text FROM events WHERE event_id LIKE 'mx-%' ORDER BY 1").rows { try $0.decode(String.self, 0) }
        #expect(events == ["mx-admin", "mx-dealerOwn"])
    }
}
