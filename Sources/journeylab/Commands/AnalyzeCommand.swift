import ArgumentParser
import Reports
import Stats

/// `journeylab analyze --arm control=12/60 --arm treatment=24/65 [--alpha 0.05] [--mde 0.15] [--format text|json]`:
/// analyses counts given on the command line, without a database.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse conversion counts: exact tests, intervals, Bayesian odds, power and a decision.",
        discussion: """
            Give each arm as name=conversions/deals; the first arm is the baseline (control). The primary test \
            is Boschloo's exact test; Fisher's and the pooled z-test are shown beside it. With more than one \
            treatment, p-values are Holm-adjusted.
            Example: journeylab analyze --arm control=12/60 --arm treatment=24/65 --mde 0.15
            """)

    @Option(
        name: .customLong("arm"),
        help: ArgumentHelp("An arm as name=conversions/deals; repeat it, baseline first.", valueName: "name=x/n"))
    var arms: [String] = []

    @Option(parsing: .unconditional, help: "Two-sided significance level, in (0, 0.5].")
    var alpha: Double = 0.05

    @Option(parsing: .unconditional, help: "Power wanted at the MDE, in (0.5, 1).")
    var power: Double = 0.8

    @Option(parsing: .unconditional, help: "Smallest lift worth acting on, in absolute proportion (0.15 = 15 points).")
    var mde: Double?

    @OptionGroup var database: UnusedDatabaseOption
    @Option(help: OutputFormat.help)
    var format: OutputFormat = .text

    /// The same bound as `plan`: the exact tests enumerate tables, which is instant for the 100–150 deals of a
    /// hypothesis and takes minutes (debug build) near a million.
    static let maximumDeals = 100_000

    func validate() throws {
        let arms = try parsedArms()
        // Each arm first, so the sum cannot overflow.
        let deals = arms.contains { $0.deals > Self.maximumDeals } ? Int.max : arms.reduce(0) { $0 + $1.deals }
        guard deals <= Self.maximumDeals else {
            throw ValidationError(
                "analyze runs exact tests sized for small samples: at most \(Self.maximumDeals) deals in all (got \(deals == Int.max ? "more" : String(deals)))"
            )
        }
        do {
            try ProportionAnalysis.validate(arms, plan: plan)
        } catch let error as StatsError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        let result: AnalysisResult
        do {
            result = try ProportionAnalysis.analyze(try parsedArms(), plan: plan)
        } catch let error as StatsError {
            throw ValidationError(error.message)
        }
        if format == .json { return try Output.json(result) }
        let text = AnalysisTextRenderer(alpha: alpha, power: power).render(result)
        Output.line(String(text.dropLast()))
    }

    var plan: AnalysisPlan { AnalysisPlan(alpha: alpha, power: power, mde: mde) }

    /// The `--arm` values as counts.
    /// - Throws: `ValidationError` naming the bad value and the expected shape.
    func parsedArms() throws -> [ArmCounts] {
        guard arms.count >= 2 else {
            throw ValidationError(
                "analyze needs at least two --arm options, baseline first (got \(arms.count)), e.g. --arm control=12/60 --arm treatment=24/65"
            )
        }
        return try arms.map(Self.parseArm)
    }

    /// Parses `name=conversions/deals`.
    static func parseArm(_ text: String) throws -> ArmCounts {
        let shape = "write it as name=conversions/deals, e.g. control=12/60"
        guard let equals = text.lastIndex(of: "=") else {
            throw ValidationError("--arm \(text): no '='; \(shape)")
        }
        let name = trimmed(text[..<equals])
        let counts = text[text.index(after: equals)...].split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty else { throw ValidationError("--arm \(text): the arm has no name; \(shape)") }
        guard counts.count == 2, let conversions = Int(trimmed(counts[0])), let deals = Int(trimmed(counts[1]))
        else {
            throw ValidationError("--arm \(text): the counts are not two whole numbers; \(shape)")
        }
        guard conversions >= 0, deals >= 0 else {
            throw ValidationError("--arm \(text): counts cannot be negative; \(shape)")
        }
        guard conversions <= deals else {
            throw ValidationError(
                "--arm \(text): \(conversions) conversions out of \(deals) deals is impossible; conversions must be at most deals"
            )
        }
        return ArmCounts(name: name, deals: deals, conversions: conversions)
    }

    static func trimmed(_ text: some StringProtocol) -> String {
        var text = Substring(text)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
