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

    @Test("no way of printing a configuration shows its password")
    func printingNeverShowsThePassword() throws {
        struct Holder { var configuration: PGConfiguration }
        for text in ["postgresql://alice:Zq9pw-1@db.example/j", "host=/tmp dbname=j user=alice password=Zq9pw-1"] {
            let configuration = try PGConfiguration(text)
            #expect(configuration.hasPassword)
            var dumped = ""
            dump(Holder(configuration: configuration), to: &dumped)
            for printed in [
                configuration.description, String(reflecting: configuration), "\(configuration)", dumped,
                String(reflecting: Holder(configuration: configuration)), "\(Holder(configuration: configuration))",
            ] {
                #expect(!printed.contains("Zq9pw-1"), "\(printed)")
                #expect(printed.contains("alice"), "\(printed)")
            }
        }
        #expect(try !PGConfiguration("postgresql://alice@db.example/j").hasPassword)
        #expect(try PGConfiguration("postgresql://alice:Zq9pw-1@db.example/j?sslmode=require").shareableString == "postgresql://alice@db.example/j")
        #expect(try PGConfiguration("postgresql://alice@db.example/j?sslmode=require").shareableString == "postgresql://alice@db.example/j?sslmode=require")
    }

    @Test("libpq's parse errors quote the URL: the password is cut out of the message")
    func parseErrorsHideThePassword() {
        let malformed = [
            "postgresql://alice:Zq9pw-1%zz@db.example/j",  // bad percent-encoding: libpq quotes the token
            "postgresql://alice:Zq9pw-1@[::1/j",  // unterminated IPv6 address: libpq quotes the whole URL
            "postgresql://alice:Zq9pw%2D1@[::1/j",  // the same, percent-encoded
            "host=/tmp password='Zq9pw-1 dbname=j",  // unterminated quote
            "host=/tmp password=Zq9pw-1 dbname",  // a keyword without a value
        ]
        for text in malformed {
            do {
                _ = try PGConfiguration(text)
                Issue.record("\(text) parsed")
            } catch let error as PGError {
                #expect(error.message.hasPrefix("invalid database URL"), "\(error.message)")
                #expect(!error.message.contains("Zq9pw"), "\(error.message)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test("conninfo for another role keeps every option but the password: several hosts, IPv6, TLS, odd role names")
    func conninfoForAnotherRole() throws {
        let owner = try PGConfiguration(
            "postgresql://owner:S3cret@[::1]:5432,127.0.0.1:5433/jl?sslmode=verify-full&sslrootcert=/etc/ca%20files/ca.pem")
        let text = owner.conninfo(asUser: "Audit App@x:y/z")
        #expect(!text.contains("S3cret"))
        let again = try PGConfiguration(text)
        #expect(again.options["host"] == "::1,127.0.0.1")
        #expect(again.options["port"] == "5432,5433")
        #expect(again.options["dbname"] == "jl")
        #expect(again.options["user"] == "Audit App@x:y/z")
        #expect(again.options["sslmode"] == "verify-full")
        #expect(again.options["sslrootcert"] == "/etc/ca files/ca.pem")
        #expect(!again.hasPassword)
    }
}
