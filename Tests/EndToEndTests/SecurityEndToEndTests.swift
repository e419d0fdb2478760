import AsyncHTTPClient
import Foundation
import JourneyLab
import NIOCore
import NIOHTTP1
import Postgres
import Testing
import TestSupport

/// The built `journeylab` as an operator runs it: `db grant` for the server's role, keys from the CLI, and
/// `serve --no-migrate` as that role at trace level, its whole output captured.
@Suite("Security end to end")
struct SecurityEndToEndTests {
    /// 16 random hex digits, to mark strings that must not show up anywhere.
    static func marker() -> String { String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }

    struct Reply {
        var status: Int
        var requestID: String?
        var body: String
    }

    static func call(
        port: Int, _ method: HTTPMethod, _ path: String, authorization: String? = nil, json: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        return Reply(
            status: Int(response.status.code), requestID: response.headers.first(name: "X-Request-Id"), body: String(buffer: body)
        )
    }

    func journeylab(_ arguments: [String]) async throws -> TestProcess.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNEYLAB_DATABASE_URL"] = nil
        return try await TestProcess.run(TestProcess.journeylabBinary, arguments, environment: environment)
    }

    @Test("db grant through the CLI: prints the grants, the same on a second run; an unknown role exits 2")
    func grantCommand() async throws {
        let roles = try TestRoles.create()
        defer { try? roles.drop() }
        let owner = roles.database.configuration.connectionString
        let first = try await journeylab(["db", "grant", roles.app, "--database-url", owner])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.output.contains("INSERT (deal_id, idempotency_key, event_id"), "\(first.output)")
        #expect(first.output.contains("no DELETE, TRUNCATE"))
        #expect(first.output.contains("serve --no-migrate"))
        // The hint's URL works as printed: the same server and database (socket included), as the granted role.
        let hinted = try #require(first.output.firstMatch(of: /--database-url '([^']+)'/).map { String($0.1) }, "\(first.output)")
        let asApp = try await journeylab(["db", "status", "--database-url", hinted])
        #expect(asApp.status == 0, "\(hinted): \(asApp.standardError)")
        #expect(asApp.output.contains("postgresql://\(roles.app)@"), "\(asApp.output)")
        let second = try await journeylab(["db", "grant", roles.app, "--database-url", owner])
        #expect(second.status == 0)
        #expect(second.output == first.output)
        let json = try await journeylab(["db", "grant", roles.app, "--database-url", owner, "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(report["role"] as? String == roles.app)
        #expect((report["statements"] as? [String])?.contains { $0.contains("DELETE") } == false)

        let unknown = try await journeylab(["db", "grant", "jl_nobody_\(Self.marker())", "--database-url", owner])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("no database role"), "\(unknown.standardError)")
        #expect(unknown.standardError.split(separator: "\n").count == 1)
        let superuser = try await journeylab(["db", "grant", "postgres", "--database-url", owner])
        #expect(superuser.status == 2, "\(superuser.standardError)")
        // A built-in role is refused before anything changes: it would hand the server's writes to its members.
        let builtIn = try await journeylab(["db", "grant", "pg_read_all_data", "--database-url", owner])
        #expect(builtIn.status == 2 && builtIn.standardError.contains("built-in roles"), "\(builtIn.standardError)")
        let granted = try roles.database.connect().query(
            "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = 'pg_read_all_data' AND privilege_type <> 'SELECT'"
        ).scalar(Int.self)
        #expect(granted == 0, "pg_read_all_data got write privileges")
    }

    @Test(
        "serve as the granted role on a schema that is behind: --no-migrate starts, warns and is not ready; without it, it refuses"
    )
    func serveWhenTheSchemaIsBehind() async throws {
        let roles = try TestRoles.create()
        defer { try? roles.drop() }
        let owner = roles.database.configuration.connectionString
        #expect(try await journeylab(["db", "grant", roles.app, "--database-url", owner]).status == 0)
        // The newest migration "is new": its record disappears, as if this binary were newer than the schema.
        try roles.database.connect().simpleQuery(
            "DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
        let appURL = roles.appConfiguration.connectionString

        var environment = ProcessInfo.processInfo.environment
        environment["JOURNEYLAB_DATABASE_URL"] = nil
        environment["JOURNEYLAB_MIGRATE_ON_START"] = "false"
        let server = try TestProcess.launch(
            TestProcess.journeylabBinary, ["serve", "--port", "0", "--database-url", appURL], environment: environment)
        defer { server.stop() }
        let port = try #require(Int(try await server.waitForLog(#"listening on 127\.0\.0\.1:(\d+)"#)))
        #expect(server.log.contains("schema is behind"), "\(server.log)")
        let ready = try await Self.call(port: port, .GET, "/readyz")
        #expect(ready.status == 503)
        #expect(ready.body.contains(#""ready":false"#), "\(ready.body)")
        #expect(server.stop() == 0)

        let refused = try await journeylab(["serve", "--port", "0", "--database-url", appURL])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("may not change the schema"), "\(refused.standardError)")
        #expect(refused.standardError.contains("journeylab db migrate` as the schema owner"), "\(refused.standardError)")
    }

    @Test(
        "serve at trace level as the granted role: no secret, Bearer token, Authorization header, password or personal data in the log; request ids are"
    )
    func logsKeepSecretsOut() async throws {
        let roles = try TestRoles.create()
        defer { try? roles.drop() }
        let owner = roles.database.configuration.connectionString
        #expect(try await journeylab(["db", "grant", roles.app, "--database-url", owner]).status == 0)

        // Keys from the CLI, as an operator makes them; one revoked.
        func createKey(_ arguments: [String]) async throws -> (id: String, secret: String) {
            let result = try await journeylab(["key", "create"] + arguments + ["--format", "json", "--database-url", owner])
            #expect(result.status == 0, "\(result.standardError)")
            let created = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
            let secret = try #require(created["secret"] as? String)
            #expect(secret.wholeMatch(of: /jl_[0-9a-f]{64}/) != nil)
            return (try #require(created["id"] as? String), secret)
        }
        let dealer = try await createKey(["--role", "dealer", "--dealer", "dealer-a", "--name", "Kazan CRM"])
        let analyst = try await createKey(["--role", "analyst", "--name", "BI"])
        let revoked = try await createKey(["--role", "admin", "--name", "old"])
        #expect(try await journeylab(["key", "revoke", revoked.id, "--database-url", owner]).status == 0)
        // A leaked key is revoked by its secret too, and no output repeats the secret, known or not.
        let leaked = try await createKey(["--role", "analyst", "--name", "leaked"])
        let bySecret = try await journeylab(["key", "revoke", leaked.secret, "--format", "json", "--database-url", owner])
        #expect(bySecret.status == 0, "\(bySecret.standardError)")
        #expect(bySecret.output.contains(leaked.id) && bySecret.output.contains("revoked_at"))
        let unknown = "jl_" + String(repeating: "0", count: 64)
        for secret in [leaked.secret, unknown] {
            for pasted in [secret, "Bearer \(secret)", "Authorization: Bearer \(secret) ", "'\(secret)'"] {
                let again = try await journeylab(["key", "revoke", pasted, "--database-url", owner])
                #expect(!(again.output + again.standardError).contains(secret.dropFirst(3)), "\(again.output) \(again.standardError)")
                #expect(again.status == (secret == unknown ? 2 : 0), "\(pasted.prefix(20)): \(again.standardError)")
            }
        }
        let listed = try await journeylab(["key", "list", "--format", "json", "--database-url", owner])
        #expect(listed.status == 0)
        for secret in [dealer.secret, analyst.secret, revoked.secret] {
            #expect(!listed.output.contains(secret.dropFirst(3)))
            let stored = try roles.database.connect().query(
                "SELECT count(*) FROM api_keys k WHERE strpos(k::text, $1) > 0", [String(secret.dropFirst(3))]
            ).scalar(Int.self)
            #expect(stored == 0, "the secret itself is stored")
        }

        let ownerConnection = try roles.database.connect()
        try ownerConnection.simpleQuery(
            """
            INSERT INTO segments (key, name) VALUES ('family-men-30', 'Family men 30+');
            INSERT INTO journeys (key, segment_key, name) VALUES ('car-x', 'family-men-30', 'Car X');
            INSERT INTO stages (journey_key, key, position, name) VALUES ('car-x', 'first-visit', 0, 'First visit');
            INSERT INTO hypotheses (key, journey_key, stage_key, title, metric, target_deals, alpha, power, min_days, max_days, seed)
            VALUES ('h-email', 'car-x', 'first-visit', 'Email chain', 'addon_purchased', 150, 0.05, 0.8, 0, 180, 42);
            INSERT INTO arms (hypothesis_key, name, position, weight, is_control)
            VALUES ('h-email', 'control', 0, 1, true), ('h-email', 'treatment', 1, 1, false);
            UPDATE hypotheses SET status = 'running', plan_hash = repeat('a', 64), started_at = now() WHERE key = 'h-email';
            """)

        // The server's role gets a password; it travels in the URL (the test cluster trusts loopback, so any works).
        let password = "Pw" + Self.marker()
        try PGConnection(configuration: try TestDatabase.serverConfiguration()).simpleQuery(
            "ALTER ROLE \(roles.app) PASSWORD '\(password)'")
        let pgPort = try #require(ProcessInfo.processInfo.environment["JOURNEYLAB_TEST_PG_PORT"])
        let appURL = "postgresql://\(roles.app):\(password)@127.0.0.1:\(pgPort)/\(roles.database.name)"

        var environment = ProcessInfo.processInfo.environment
        environment["JOURNEYLAB_DATABASE_URL"] = nil
        environment["JOURNEYLAB_LOG_LEVEL"] = "trace"
        environment["JOURNEYLAB_TICK_INTERVAL"] = "0.2"
        let server = try TestProcess.launch(
            TestProcess.journeylabBinary, ["serve", "--port", "0", "--no-migrate", "--database-url", appURL],
            environment: environment)
        defer { server.stop() }
        let port = try #require(Int(try await server.waitForLog(#"listening on 127\.0\.0\.1:(\d+)"#)))

        let person = "Ivan Petrov " + Self.marker()
        let phone = "+7 900 " + Self.marker()
        let value = "73519.29"
        let unknownSecret = "jl_" + Self.marker() + Self.marker() + Self.marker() + Self.marker()
        let basic = Data("dealer-a:\(Self.marker())".utf8).base64EncodedString()
        var replies: [Reply] = []
        func send(_ method: HTTPMethod, _ path: String, _ authorization: String?, _ json: String? = nil, expect status: Int)
            async throws
        {
            let reply = try await Self.call(port: port, method, path, authorization: authorization, json: json)
            #expect(reply.status == status, "\(method) \(path): \(reply.body.prefix(300))")
            replies.append(reply)
        }
        let bearer = "Bearer \(dealer.secret)"
        try await send(.GET, "/healthz", nil, expect: 200)
        try await send(.GET, "/readyz", bearer, expect: 200)
        try await send(
            .POST, "/v1/assignments", bearer,
            #"{"deal_id":"crm-1","dealer_id":"dealer-a","stage":"first-visit","attributes":{"customer":"\#(person)","phone":"\#(phone)"}}"#,
            expect: 200)
        try await send(
            .POST, "/v1/events", bearer,
            #"{"events":[{"event_id":"e-1","deal_id":"crm-1","type":"addon_purchased","value":\#(value)},{"event_id":"e-2","deal_id":"crm-1","type":"closed_won"}]}"#,
            expect: 200)
        try await send(.GET, "/v1/hypotheses/h-email/report", "Bearer \(analyst.secret)", expect: 200)
        try await send(.GET, "/reports/h-email", "Bearer \(analyst.secret)", expect: 200)
        // Refused keys and headers.
        try await send(.GET, "/v1/hypotheses", "Bearer \(unknownSecret)", expect: 401)
        try await send(.GET, "/v1/hypotheses", "Bearer \(revoked.secret)", expect: 401)
        try await send(.GET, "/v1/hypotheses", "Basic \(basic)", expect: 401)
        try await send(.GET, "/v1/hypotheses", "bearer \(person)", expect: 401)
        try await send(.GET, "/v1/hypotheses", bearer, expect: 403)
        // Bad requests carrying personal data and secrets in the body, the path and the query.
        try await send(
            .POST, "/v1/events", bearer, #"{"events":[{"deal_id":"crm-1","type":"closed_won","note":"\#(person)"}]}"#, expect: 400
        )
        try await send(.POST, "/v1/events", bearer, #"{"events":[{"deal_id":"crm-1","type":"\#(phone)"}]}"#, expect: 422)
        try await send(.POST, "/v1/events", bearer, #"{"events":[{"deal_id":"crm-1","value":"\#(dealer.secret)"#, expect: 400)
        try await send(
            .POST, "/v1/assignments", bearer, #"{"deal_id":"\#(person)","dealer_id":"dealer-b","stage":"first-visit"}"#,
            expect: 403)
        try await send(.GET, "/v1/hypotheses/\(analyst.secret)", "Bearer \(analyst.secret)", expect: 404)
        try await send(
            .GET, "/nowhere?key=\(dealer.secret)&phone=\(phone.replacingOccurrences(of: " ", with: "+"))", bearer, expect: 404)

        // The CLI as the same role: the ticker, and the URL shown without its password.
        let tick = try await journeylab(["scheduler", "tick", "--database-url", appURL])
        #expect(tick.status == 0, "\(tick.standardError)")
        let status = try await journeylab(["db", "status", "--database-url", appURL])
        #expect(status.status == 0, "\(status.standardError)")
        #expect(
            status.output.contains("postgresql://\(roles.app)@127.0.0.1:\(pgPort)/\(roles.database.name)"), "\(status.output)")
        let unreachable = try await journeylab([
            "db", "status", "--database-url", "postgresql://\(roles.app):\(password)@127.0.0.1:1/x",
        ])
        #expect(unreachable.status == 1)
        #expect(unreachable.standardError.contains("cannot connect"), "\(unreachable.standardError)")
        let malformed = try await journeylab(["db", "status", "--database-url", "postgresql://\(roles.app):\(password)%zz@[::1/x"])
        #expect(malformed.status == 2)
        #expect(malformed.standardError.contains("invalid database URL"), "\(malformed.standardError)")
        for result in [tick, status, unreachable, malformed] {
            #expect(!(result.output + result.standardError).contains(password), "\(result.output)\(result.standardError)")
        }

        #expect(server.stop() == 0)
        let log = server.log
        #expect(log.contains("trace") || log.contains("debug"), "the server did not log at trace level")
        let forbidden: [(String, String)] = [
            (dealer.secret, "the dealer's secret"), (String(dealer.secret.dropFirst(3)), "the dealer's secret digits"),
            (analyst.secret, "the analyst's secret"), (revoked.secret, "a revoked secret"), (unknownSecret, "an unknown secret"),
            (basic, "Basic credentials"), (password, "the database password"), (person, "a customer's name"),
            (phone, "a customer's phone"), (value, "an event value"),
        ]
        for (text, what) in forbidden {
            #expect(!log.contains(text), "the log holds \(what)")
        }
        #expect(!log.lowercased().contains("bearer"), "the log holds a Bearer token")
        #expect(!log.lowercased().contains("authorization"), "the log holds the Authorization header")
        #expect(!log.contains("permission denied"), "the granted role was refused something")
        for reply in replies {
            let id = try #require(reply.requestID)
            #expect(log.contains(id), "request id \(id) is not in the log")
        }
    }
}
