import ArgumentParser
import Foundation
import JourneyLab
import Postgres
import Reports

/// `journeylab demo`: the whole product on the car-brand-X journey in one command.
///
/// Imports `examples/car-brand-x.yaml`, starts its hypotheses five simulated months ago, starts the HTTP
/// server on a free port, gives every simulated dealer its own API key, and plays the dealer network
/// against the real API with a real HTTP client (retries and duplicates included). Then it runs the
/// lifecycle ticker, prints every hypothesis's report, writes the HTML report and says what to try next.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the car-brand-X demo end to end: import, start, simulate 8 dealers over HTTP, report.",
        discussion: """
            Uses a fresh database `journeylab_demo` in the embedded cluster (replaced on every run) unless \
            --database-url names another one. Deterministic for a given --seed.
            """
    )

    @Option(
        name: .customLong("database-url"),
        help: "Run on this database instead of a fresh `journeylab_demo` database in the embedded cluster.")
    var databaseURL: String?
    @Option(parsing: .unconditional, help: "Seed of the simulation and of the hypotheses' randomization.") var seed: UInt64 = 2026
    @Option(parsing: .unconditional, help: "Number of simulated deals.") var deals: Int = 320
    @Option(help: "The journey file to import.") var journeyFile: String?
    @Option(help: "Where to write the HTML report (default: $JOURNEYLAB_HOME/demo-report.html).") var output: String?
    @Option(help: "text (reports and next steps) or json (a summary for scripts).") var format: OutputFormat = .text

    func validate() throws {
        guard (20...5000).contains(deals) else { throw ValidationError("--deals must be between 20 and 5000") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let progress = DemoProgress(enabled: format == .text)
        progress.step("preparing the database")
        let (configuration, where_) = try prepareDatabase()
        let file = journeyFile.map { URL(fileURLWithPath: $0) } ?? Self.defaultJourneyFile()
        let run = DemoRun(
            configuration: configuration, journeyFile: file, seed: seed, dealCount: deals, progress: progress)
        let summary = try await run.execute()

        let home = EmbeddedDatabase.defaultHome(ProcessInfo.processInfo.environment)
        let htmlPath = output ?? home.appendingPathComponent("demo-report.html").path
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: htmlPath).deletingLastPathComponent(), withIntermediateDirectories: true)
        try OutputFile.write(try ReportRenderer.render(summary.reports, format: .html), to: htmlPath)
        progress.finish()

        let elapsed = ContinuousClock.now - started
        if format == .json {
            return try Output.json(summary.json(database: where_, htmlPath: htmlPath, seconds: elapsed))
        }
        Output.line(try ReportRenderer.render(summary.reports, format: .text, colour: isatty(1) == 1))
        Output.line(summary.trafficLine)
        Output.line("HTML report: \(htmlPath)")
        Output.line(String(format: "Done in %.1f s on %@.", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, where_))
        Output.line()
        Output.line("Try next:")
        // The URL as given, unless it holds a password: that never goes to the terminal (libpq reads PGPASSWORD).
        let url = " --database-url '\(databaseURL == nil ? configuration.description : configuration.shareableString)'"
        if configuration.hasPassword { Output.line("  (the URL below leaves out its password: set PGPASSWORD or use ~/.pgpass)") }
        let j = Self.invokedAs()
        Output.line("  \(j) journey show \(DemoRun.journeyKey)\(url)")
        Output.line("  \(j) hypothesis show accessories-email-chain\(url)")
        Output.line("  \(j) report accessories-email-chain --format markdown\(url)")
        // The accessories chain's own counts: analyze gives the same numbers as its report.
        let arms = summary.reports.first { $0.hypothesis.id == "accessories-email-chain" }?.analysis.arms ?? []
        let counts = arms.isEmpty ? " --arm control=30/160 --arm treatment=88/160" : arms.map { " --arm \($0.name)=\($0.conversions)/\($0.deals)" }.joined()
        Output.line("  \(j) analyze\(counts)")
        Output.line("  \(j) plan --baseline 0.2 --mde 0.15 --looks 3")
        Output.line("  \(j) serve\(url)   # then see README: the five-minute tour")
    }

    /// How this binary was run, so the suggested commands can be pasted as they are: the path when run by
    /// path (`.build/debug/journeylab` from the checkout, as scripts/demo.sh does), else the name on PATH.
    static func invokedAs() -> String {
        let first = CommandLine.arguments.first ?? "journeylab"
        return first.contains("/") ? first : "journeylab"
    }

    /// The demo's database: as given, or a fresh `journeylab_demo` in the embedded cluster.
    private func prepareDatabase() throws -> (PGConfiguration, String) {
        if let databaseURL {
            let configuration = try DatabaseLocation.resolve(explicitURL: databaseURL).configuration
            return (configuration, configuration.description)
        }
        let embedded = EmbeddedDatabase()
        let main = try embedded.start()
        let admin = try PGConnection(configuration: try main.adding(["dbname": "postgres"]))
        try admin.simpleQuery("DROP DATABASE IF EXISTS journeylab_demo WITH (FORCE)")
        try admin.simpleQuery("CREATE DATABASE journeylab_demo")
        let configuration = try main.adding(["dbname": "journeylab_demo"])
        return (configuration, "the embedded database (\(configuration.description))")
    }

    static func defaultJourneyFile() -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["JOURNEYLAB_EXAMPLES_DIR"] {
            return URL(fileURLWithPath: explicit).appendingPathComponent("car-brand-x.yaml")
        }
        return SchemaMigrations.directory().deletingLastPathComponent().appendingPathComponent("examples/car-brand-x.yaml")
    }
}
