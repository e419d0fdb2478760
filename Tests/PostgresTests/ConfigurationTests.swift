import Postgres
import Testing

@Suite("Connection strings")
struct ConfigurationTests {
    @Test func urlWithPasswordIsRedacted() throws {
        let configuration = try PGConfiguration("postgresql://alice:s3cret@db.example:6543/journeys?sslmode=require")
        #expect(configuration.description == "postgresql://alice@db.example:6543/journeys")
        #expect(!configuration.description.contains("s3cret"))
        #expect(configuration.options["sslmode"] == "require")
    }

    @Test func unixSocketHosts() throws {
        let url = try PGConfiguration("postgresql:///journeylab?host=/var/run/pg")
        #expect(url.options["host"] == "/var/run/pg")
        let conninfo = try PGConfiguration("host=/tmp/x dbname=j user=u")
        #expect(conninfo.description == "postgresql://u@/j?host=/tmp/x")
        let extended = try url.adding(["dbname": "other db"])
        #expect(extended.options["dbname"] == "other db")
    }

    @Test func malformedStringsAreRejectedWithAHint() {
        do {
            _ = try PGConfiguration("postgresql://x:y@host/db?no_such_option=1")
            Issue.record("an unknown option must be refused")
        } catch let error as PGError {
            #expect(error.message.contains("postgresql://"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
