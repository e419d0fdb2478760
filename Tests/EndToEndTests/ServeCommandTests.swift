import Foundation
import Testing
import TestSupport

/// `journeylab serve` as operators start it.
@Suite("Serve command")
struct ServeCommandTests {
    @Test("a port already in use is named with the fix, not NIO's bind(descriptor:…) text; exit 1")
    func portInUse() async throws {
        let database = try TestDatabase.create()
        let url = database.configuration.connectionString
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNEYLAB_DATABASE_URL"] = nil
        let first = try TestProcess.launch(
            TestProcess.journeylabBinary, ["serve", "--port", "0", "--database-url", url], environment: environment)
        defer { first.stop() }
        let port = try #require(try await first.waitForLog(#"listening on 127\.0\.0\.1:(\d+)"#))
        let second = try await TestProcess.run(
            TestProcess.journeylabBinary, ["serve", "--port", port, "--database-url", url], environment: environment)
        #expect(second.status == 1)
        #expect(
            second.standardError.contains("port \(port) on 127.0.0.1 is already in use by another program: choose another with --port"),
            "\(second.standardError)")
        #expect(!second.standardError.contains("bind(descriptor"))
        // A host that is no address gets the same kind of answer.
        let nowhere = try await TestProcess.run(
            TestProcess.journeylabBinary, ["serve", "--host", "999.1.1.1", "--port", "0", "--database-url", url], environment: environment)
        #expect(nowhere.status == 1)
        #expect(nowhere.standardError.contains("cannot listen on host \"999.1.1.1\": it does not resolve"), "\(nowhere.standardError)")
    }
}
