import Foundation
import JourneyLab
import Postgres
import Reports
import Stats
import Testing
import TestSupport

/// Renderers on a real report (evaluated from PostgreSQL): HTML structure, CSV that a standard reader
/// parses, JSON with the contract's keys.
@Suite("Report rendering")
struct ReportRenderingTests {
    static func report() async throws -> HypothesisReport {
        let database = try seeded()
        let pool = database.pool()
        let report = try await Evaluator(pool: pool).report(for: "signing-gift")
        await pool.shutdown()
        return report
    }

    /// A journey with one running hypothesis (`signing-gift`, target 20, 24 deals over 4 dealers, all resolved).
    static func seeded() throws -> TestDatabase {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try connection.execute("INSERT INTO segments (key, name) VALUES ('family-men-30', 'Family men 30+')")
        try connection.execute("INSERT INTO journeys (key, segment_key, name) VALUES ('car-brand-x', 'family-men-30', 'Car brand X')")
        try connection.execute("INSERT INTO stages (journey_key, key, position, name) VALUES ('car-brand-x', 'sign-deal', 0, 'Signing the deal')")
        try connection.execute(
            "INSERT INTO barriers (journey_key, stage_key, key, text, source) VALUES ('car-brand-x', 'sign-deal', 'long-paperwork', 'Paperwork takes <hours> & \"forever\"', 'interview')")
        let plan = Hypothesis.Plan(
            metric: "closed_won",
            arms: [.init(name: "control", weight: 1, isControl: true), .init(name: "treatment", weight: 1, isControl: false)],
            targetDeals: 20, mde: 0.15, minDays: 0, seed: 3)
        try HypothesisStore.insert(
            Hypothesis(
                key: "signing-gift", journeyKey: "car-brand-x", stageKey: "sign-deal", barrierKey: "long-paperwork",
                title: "A gift at signing, \"really\"", status: .running, plan: plan, planHash: plan.sha256,
                startedAt: Date(timeIntervalSince1970: 1_780_000_000)), connection)
        for index in 0..<24 {
            let deal = "d\(index)", arm = index % 2 == 0 ? "control" : "treatment"
            try connection.execute("INSERT INTO deals (deal_id, dealer_id) VALUES ($1, $2)", [deal, "dealer-\(index % 4)"])
            try connection.execute(
                "INSERT INTO assignments (deal_id, hypothesis_key, arm, stratum, slot) VALUES ($1, 'signing-gift', $2, 'x', $3::int4)",
                [deal, arm, index])
            let won = (arm == "treatment" && index % 3 != 0) || index % 5 == 0
            try connection.execute(
                """
                INSERT INTO events (deal_id, idempotency_key, type, occurred_at, payload_hash, enrolled)
                VALUES ($1, 'close', $2, $3::timestamptz, 'x', true)
                """, [deal, won ? "closed_won" : "closed_lost", Date(timeIntervalSince1970: 1_780_000_000 + Double(index) * 200_000)])
        }
        return database
    }

    /// `report --journey`: every hypothesis of the journey by stage, with status, progress and decision; a
    /// test not yet started has no decision; in HTML the funnel leads, stage by stage, with each barrier's
    /// hypotheses tagged by their outcome.
    @Test func journeyOverviewListsEveryHypothesisByStage() async throws {
        let database = try Self.seeded()
        let connection = try database.connect()
        try connection.execute(
            "INSERT INTO stages (journey_key, key, position, name) VALUES ('car-brand-x', 'await-car', 1, 'Waiting for the car')")
        try HypothesisStore.insert(
            Hypothesis(
                key: "status-chain", journeyKey: "car-brand-x", stageKey: "await-car", title: "Status messages",
                status: .draft, plan: Hypothesis.Plan(metric: "closed_won", arms: [
                    .init(name: "control", weight: 1, isControl: true), .init(name: "treatment", weight: 1, isControl: false),
                ], targetDeals: 40, seed: 5)), connection)
        try connection.execute("UPDATE hypotheses SET status = 'concluded', outcome = 'inconclusive' WHERE key = 'signing-gift'")
        let pool = database.pool()
        let evaluator = Evaluator(pool: pool)
        let keys = try await evaluator.hypothesisKeys(journey: "car-brand-x")
        #expect(keys == ["signing-gift", "status-chain"], "funnel order")
        let reports = try await evaluator.reports(for: keys)
        await pool.shutdown()
        let tree = try JourneyStore.tree("car-brand-x", connection)
        let decided = try #require(reports.first).analysis.decision.rawValue

        let text = try JourneyOverviewRenderer.render(tree, reports: reports, format: .text)
        let rows = text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(rows.contains("Signing the deal signing-gift concluded (inconclusive) 24/20 \(decided)"), "\(rows.prefix(4))")
        #expect(rows.contains("Waiting for the car status-chain draft 0/40 not started"), "\(rows.prefix(4))")

        let markdown = try JourneyOverviewRenderer.render(tree, reports: reports, format: .markdown)
        #expect(markdown.contains("| Waiting for the car | status-chain | draft | 0/40 | not started |"))

        let html = try JourneyOverviewRenderer.render(tree, reports: reports, format: .html)
        let funnel = try #require(html.range(of: "data-section=\"funnel\""))
        let decision = try #require(html.range(of: "data-section=\"decision\""))
        #expect(funnel.lowerBound < decision.lowerBound, "the funnel leads")
        let signing = try #require(html.range(of: "1. Signing the deal"))
        let waiting = try #require(html.range(of: "2. Waiting for the car"))
        #expect(signing.lowerBound < waiting.lowerBound)
        #expect(html.contains(">signing-gift: \(decided)</a>"))
        #expect(!html.contains("status-chain: continue"))
        // The contents say the same as the funnel, and the sections follow the funnel whatever order the
        // reports came in.
        #expect(html.contains("Status messages</a> — <span class=\"tag continue\">not started</span>"))
        let shuffled = try JourneyOverviewRenderer.render(tree, reports: reports.reversed(), format: .html)
        let firstSection = try #require(shuffled.range(of: "id=\"signing-gift\""))
        let secondSection = try #require(shuffled.range(of: "id=\"status-chain\""))
        #expect(firstSection.lowerBound < secondSection.lowerBound, "sections in funnel order")

        // The draft's own report says why it collects nothing, in every format's headline.
        let draft = try #require(reports.last)
        #expect(try ReportRenderer.render([draft], format: .text).contains("Decision: CONTINUE — not started: no deals are enrolled yet"))
        #expect(try ReportRenderer.render([draft], format: .markdown).contains("**Decision: CONTINUE** — not started: no deals are enrolled yet"))
        #expect(try ReportRenderer.render([draft], format: .html).contains("<strong>Not started: no deals are enrolled yet</strong>"))
        #expect(!(try ReportRenderer.render([reports[0]], format: .text)).contains("not started"))
    }

    @Test func htmlIsSelfContainedWithEverySection() async throws {
        let html = try ReportRenderer.render([try await Self.report()], format: .html)
        for section in ["decision", "context", "plan", "arms", "lift", "timeline", "dealers", "glossary"] {
            #expect(html.contains("data-section=\"\(section)\""), "missing section \(section)")
        }
        #expect(html.components(separatedBy: "<svg").count - 1 == 4)  // rates, forest, cumulative, enrollment
        for external in ["http://", "https://", "src=", "<script", "<link", "@import", "url("] {
            #expect(!html.contains(external), "found \(external)")
        }
        // Negative numbers carry the text report's minus sign (U+2212), never a hyphen; the forest plot's
        // axis has negative ticks.
        #expect(html.firstMatch(of: /-\d+(\.\d+)?( pts|%)/) == nil, "a hyphen as minus sign")
        #expect(html.contains("−") && html.contains(" pts"))
        // Text from the database is escaped.
        #expect(html.contains("Paperwork takes &lt;hours&gt; &amp; &quot;forever&quot;"))
        #expect(!html.contains("<hours>"))
        #expect(html.contains("<polyline"))
    }

    @Test func csvParsesWithAStandardReader() async throws {
        let csv = try ReportRenderer.render([try await Self.report()], format: .csv)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID()).csv").path
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Python's csv module is the reference reader.
        let result = try await TestProcess.run(
            "/usr/bin/env",
            ["python3", "-c", "import csv,json,sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline='')))))", path])
        #expect(result.status == 0, "\(result.standardError)")
        let rows = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: String]]
        #expect(rows?.count == 1)
        #expect(rows?.first?["hypothesis"] == "signing-gift")
        #expect(rows?.first?["arm"] == "treatment")
        #expect(Double(rows?.first?["p_value"] ?? "") != nil)
    }

    @Test func jsonHasTheContractKeys() async throws {
        let json = try ReportRenderer.render([try await Self.report()], format: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        for key in ["metric", "arms", "comparisons", "srm", "power", "decision", "reasons", "hypothesis", "plan", "dealers", "timeline"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let comparison = try #require((object["comparisons"] as? [[String: Any]])?.first)
        for key in ["arm", "baseline", "diff", "diff_ci", "relative_lift", "relative_lift_ci", "p_value", "p_fisher", "p_ztest",
                    "p_adjusted", "prob_beat_baseline", "expected_loss"] {
            #expect(comparison[key] != nil, "missing comparisons[].\(key)")
        }
    }

    /// While a test runs, its power and MDE are those of the planned deals (the few at hand detect nothing),
    /// and every format says so; once complete they are the deals at hand. A draft's plan is not "frozen",
    /// and commands in the HTML reasons read as code.
    @Test func powerSaysWhichDealsItIsAbout() async throws {
        var report = try await Self.report()
        #expect(report.progress.isComplete, "24 of 20 resolved")
        let complete = try ReportRenderer.render([report], format: .text)
        #expect(complete.contains("Power: with these 24 deals the test detects a lift of"))
        #expect(try ReportRenderer.render([report], format: .markdown).contains("MDE with these 24 deals "))
        #expect(try ReportRenderer.render([report], format: .html).contains("With these 24 deals the test can detect"))

        report.progress.isComplete = false
        #expect(try ReportRenderer.render([report], format: .text).contains("Power: with the planned 20 deals the test detects a lift of"))
        #expect(try ReportRenderer.render([report], format: .markdown).contains("MDE with the planned 20 deals "))
        let html = try ReportRenderer.render([report], format: .html)
        #expect(html.contains("With the planned 20 deals the test can detect"))
        #expect(html.contains("<h3>Frozen plan</h3>"))

        // An exact MDE says so in every format; the normal approximation's is not marked as exact.
        for method in [AnalysisResult.Power.Method.boschlooExact, .normalApproximation] {
            report.analysis.power.mdeMethod = method
            for format in [ReportFormat.text, .markdown, .html] {
                let marked = try ReportRenderer.render([report], format: format).contains("(Boschloo exact: too few expected conversions")
                #expect(marked == (method == .boschlooExact), "\(format), \(method)")
            }
            #expect(try ReportRenderer.render([report], format: .json).contains(#""mde_method" : "\#(method.rawValue)""#))
        }

        report.plan.hash = nil
        report.analysis.reasons = ["not started: run `journeylab hypothesis start x` & wait"]
        let draft = try ReportRenderer.render([report], format: .html)
        #expect(draft.contains("<h3>Plan (not frozen until the test starts)</h3>"))
        #expect(draft.contains("<li>not started: run <code>journeylab hypothesis start x</code> &amp; wait</li>"))
    }

    @Test func textAndMarkdownCarryTheDecision() async throws {
        let report = try await Self.report()
        let text = try ReportRenderer.render([report], format: .text)
        let markdown = try ReportRenderer.render([report], format: .markdown)
        #expect(text.contains(report.analysis.decision.rawValue.uppercased()))
        #expect(markdown.contains("**Decision: \(report.analysis.decision.rawValue.uppercased())**"))
        #expect(!text.contains("\u{1B}["))  // no colour unless asked for
    }

    /// An arm without resolved deals leaves the difference undefined: every format says so once, not as half
    /// an interval.
    @Test func undefinedIntervalsReadNotAvailable() async throws {
        let empty = try ProportionAnalysis.analyze(
            [ArmCounts(name: "control", deals: 1, conversions: 1), ArmCounts(name: "treatment", deals: 0, conversions: 0)],
            plan: AnalysisPlan())
        let text = AnalysisTextRenderer().render(empty)
        #expect(text.contains("95% interval n/a\n"))
        #expect(text.contains("Power: with this 1 deal the test cannot reliably detect any lift"))
        #expect(!text.contains("n/a to") && !text.contains("n/a points"))
        var report = try await Self.report()
        report.analysis = empty
        let terminal = try ReportRenderer.render([report], format: .text)
        #expect(!terminal.split(separator: "\n").contains { $0.hasSuffix(" ") }, "no line ends in spaces")
        #expect(!terminal.contains("\n\n\n"), "one blank line between sections, not two")
        for format in [ReportFormat.markdown, .html] {
            let rendered = try ReportRenderer.render([report], format: format)
            #expect(!rendered.contains("to —") && !rendered.contains("— – —"), "\(format): half an interval")
        }
        // A defined interval still reads as two signed ends.
        let defined = try ProportionAnalysis.analyze(
            [ArmCounts(name: "control", deals: 50, conversions: 10), ArmCounts(name: "treatment", deals: 50, conversions: 20)],
            plan: AnalysisPlan())
        let interval = defined.comparisons[0].diffCI
        #expect(AnalysisTextRenderer().render(defined).contains(
            "95% interval \(NumberText.fixed(interval.lower * 100, signed: true)) to \(NumberText.fixed(interval.upper * 100, signed: true)) points"))
    }
}

/// The HTML report in a real browser: headless Chromium (Debian's `chromium`, installed by
/// `scripts/setup.sh --with-test-tools`) loads it offline, draws the charts and logs no console error.
@Suite("HTML report in headless Chromium")
struct HTMLInBrowserTests {
    static var chromium: String? {
        let candidates = [ProcessInfo.processInfo.environment["JOURNEYLAB_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func chartsRenderWithoutConsoleErrors() async throws {
        let browser = try #require(Self.chromium, "chromium is not installed: run scripts/setup.sh --no-build --with-test-tools")
        let html = try ReportRenderer.render([try await ReportRenderingTests.report()], format: .html)
            .replacingOccurrences(of: "</body>", with: "<p id=\"probe\"></p></body>")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jl-chromium-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("report.html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        let result = try await TestProcess.run(
            browser,
            ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(directory.path)/profile",
             "--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString])
        #expect(result.status == 0, "\(result.standardError.suffix(1000))")
        let dom = result.output
        // The browser parsed the whole page and kept every chart.
        #expect(dom.contains("id=\"probe\""))
        #expect(dom.components(separatedBy: "<svg").count - 1 == 4)
        #expect(dom.contains("<polyline"))
        #expect(dom.contains("<circle"))
        // No console errors (Chromium logs them as CONSOLE lines).
        let consoleErrors = result.standardError.split(separator: "\n").filter {
            $0.contains("CONSOLE") || $0.contains("Uncaught")
        }
        #expect(consoleErrors.isEmpty, "\(consoleErrors)")
    }
}
