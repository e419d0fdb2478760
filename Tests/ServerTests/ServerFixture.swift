import Foundation
import Hummingbird
import HummingbirdTesting
import JourneyLab
import Postgres
import Testing
import TestSupport

@testable import Server

/// A real server on a random port over a fresh database, with one key per role.
struct ServerFixture: Sendable {
    let database: TestDatabase
    let admin: String
    let analyst: String
    let dealerA: String
    let dealerB: String

    static let dealerAID = "dealer-a"
    static let dealerBID = "dealer-b"

    /// Creates the database, the keys and deals `deal-a1`, `deal-a2` (dealer A), `deal-b1` (dealer B).
    static func make() throws -> ServerFixture { try make(database: TestDatabase.create()) }

    /// The same on a given migrated database (e.g. one owned by a test owner role).
    static func make(database: TestDatabase) throws -> ServerFixture {
        let connection = try database.connect()
        func key(_ role: Principal.Role, _ dealer: String?) throws -> String {
            try APIKeys.create(role: role, dealerID: dealer, name: "\(role) test", actor: "test", connection).secret
        }
        let fixture = ServerFixture(
            database: database, admin: try key(.admin, nil), analyst: try key(.analyst, nil),
            dealerA: try key(.dealer, dealerAID), dealerB: try key(.dealer, dealerBID))
        try fixture.insertDeal("deal-a1", dealer: dealerAID)
        try fixture.insertDeal("deal-a2", dealer: dealerAID)
        try fixture.insertDeal("deal-b1", dealer: dealerBID)
        return fixture
    }

    func insertDeal(_ id: String, dealer: String) throws {
        try database.connect().execute("INSERT INTO deals (deal_id, dealer_id) VALUES ($1, $2)", [id, dealer])
    }

    /// A running hypothesis `h-email` at stage `first-visit` with arms control/treatment 1:1.
    func insertRunningHypothesis(_ key: String = "h-email", stage: String = "first-visit") throws {
        let connection = try database.connect()
        try connection.simpleQuery(
            """
            INSERT INTO segments (key, name) VALUES ('family-men-30', 'Family men 30+');
            INSERT INTO journeys (key, segment_key, name) VALUES ('car-x', 'family-men-30', 'Car X');
            INSERT INTO stages (journey_key, key, position, name) VALUES ('car-x', '\(stage)', 0, 'First visit');
            """)
        try connection.execute(
            """
            INSERT INTO hypotheses (key, journey_key, stage_key, title, metric, target_deals, alpha, power, min_days, max_days, seed)
            VALUES ($1, 'car-x', $2, 'Email chain', 'addon_purchased', 150, 0.05, 0.8, 0, 180, 42)
            """, [key, stage])
        try HypothesisStore.insertArms(
            key, [.init(name: "control", weight: 1, isControl: true), .init(name: "treatment", weight: 1, isControl: false)],
            connection)
        try connection.execute(
            "UPDATE hypotheses SET status = 'running', plan_hash = repeat('a', 64), started_at = now() WHERE key = $1", [key])
    }

    func count(_ sql: String, _ parameters: [any PGEncodable] = []) throws -> Int {
        try database.connect().query(sql, parameters).scalar(Int.self)
    }

    func configuration(reports: (any ReportProvider)? = nil) -> ServerConfiguration {
        ServerConfiguration(
            host: "127.0.0.1", port: 0, database: database.configuration, poolSize: 8, acquireTimeout: .seconds(2),
            logLevel: .warning, reportProvider: reports)
    }

    /// Runs `body` against a live server.
    func withServer(
        reports: (any ReportProvider)? = nil, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let app = try await buildApplication(configuration(reports: reports))
        try await app.test(.live) { client in try await body(client) }
    }
}

/// A response reduced to what the tests look at.
struct Reply: Sendable {
    var status: Int
    var contentType: String
    var body: String
    var headers: HTTPFields

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    var isProblem: Bool {
        let object = json
        return contentType.hasPrefix("application/problem+json") && object["type"] is String && object["title"] is String
            && (object["status"] as? Int) == status && object["detail"] is String
    }
}

extension TestClientProtocol {
    func call(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, json: String? = nil,
        contentType: String = "application/json", rawBody: [UInt8]? = nil
    ) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        var body: ByteBuffer?
        if let json { body = ByteBuffer(string: json) }
        if let rawBody { body = ByteBuffer(bytes: rawBody) }
        if body != nil { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            Reply(
                status: Int(response.status.code), contentType: response.headers[.contentType] ?? "",
                body: String(buffer: response.body), headers: response.headers)
        }
    }
}

/// A fixed report renderer for the report routes.
struct StubReports: ReportProvider {
    func json(for id: String) async throws -> Data {
        guard id == "h-email" else { throw JourneyLabError.notFound("no hypothesis \"\(id)\"") }
        return Data(#"{"metric":"addon_purchased","arms":[],"comparisons":[],"srm":{},"power":{},"decision":"continue","reasons":[]}"#.utf8)
    }
    func html(for id: String) async throws -> String {
        guard id == "h-email" else { throw JourneyLabError.notFound("no hypothesis \"\(id)\"") }
        return "<!doctype html><title>\(id)</title>"
    }
}
