import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Postgres
import TestSupport

@testable import Server

/// Database outages. The first test cuts only this test's database off (no new connections, existing backends
/// terminated), so it is safe beside other tests; the second stops the whole shared cluster and runs only with
/// JOURNEYLAB_TEST_PG_OUTAGE=1 (e.g. `swift test --filter clusterStopped` alone).
/// Known problem (TestSupport, not this suite): `ThrowawayCluster.start()` does not return when called here —
/// the 503 part passes, then `pg_ctl start` leaves postgres holding TestProcess's output pipe. Fix TestProcess
/// (redirect the child's stdout/stderr to a file or close inherited descriptors) before enabling it in CI.
@Suite("PostgreSQL outage", .serialized)
struct DatabaseOutageTests {
    @Test("database unreachable → 503 problem quickly and /readyz false; back → recovery without a restart")
    func databaseCutOff() async throws {
        let fixture = try ServerFixture.make()
        let admin = try PGConnection(configuration: try TestDatabase.serverConfiguration())
        let name = fixture.database.name
        try await fixture.withServer { client in
            let batch = #"{"events":[{"deal_id":"deal-a1","type":"closed_won"}]}"#
            let status1 = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: batch).status
            #expect(status1 == 200)
            try admin.execute("ALTER DATABASE \(name) ALLOW_CONNECTIONS false")
            try admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name])
            let started = ContinuousClock.now
            let down = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: batch)
            #expect(down.status == 503)
            #expect(down.isProblem)
            #expect(down.headers[.retryAfter] != nil)
            #expect(ContinuousClock.now - started < .seconds(5))
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == 503)
            #expect(ready.json["ready"] as? Bool == false)
            let status2 = try await client.call(.get, "/healthz").status
            #expect(status2 == 200)
            try admin.execute("ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
            let status3 = try await client.call(.get, "/readyz").status
            #expect(status3 == 200)
            let again = try await client.call(
                .post, "/v1/events", key: fixture.dealerA, json: #"{"events":[{"deal_id":"deal-a2","type":"closed_won"}]}"#)
            #expect(again.status == 200)
        }
        #expect(try fixture.count("SELECT count(*) FROM events") == 2)
    }

    @Test(
        "PostgreSQL stopped → 503; restarted → recovery without restarting the server",
        .enabled(if: ProcessInfo.processInfo.environment["JOURNEYLAB_TEST_PG_OUTAGE"] == "1"))
    func clusterStopped() async throws {
        let cluster = try #require(TestDatabase.cluster, "needs JOURNEYLAB_TEST_PGDATA and JOURNEYLAB_TEST_PG_BIN")
        let fixture = try ServerFixture.make()
        try await fixture.withServer { client in
            let batch = #"{"events":[{"deal_id":"deal-a1","type":"closed_won"}]}"#
            let status4 = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: batch).status
            #expect(status4 == 200)
            try cluster.stop()
            do {
                let down = try await client.call(.post, "/v1/events", key: fixture.dealerA, json: batch)
                #expect(down.status == 503)
                #expect(down.isProblem)
                let status5 = try await client.call(.get, "/readyz").status
                #expect(status5 == 503)
            } catch {
                try? cluster.start()
                throw error
            }
            try cluster.start()
            let status6 = try await client.call(.get, "/readyz").status
            #expect(status6 == 200)
            let again = try await client.call(
                .post, "/v1/events", key: fixture.dealerA, json: #"{"events":[{"deal_id":"deal-a2","type":"closed_won"}]}"#)
            #expect(again.status == 200)
        }
    }
}
