import ArgumentParser
import Reports
import Stats

/// `journeylab plan --baseline 0.2 (--deals 150 | --mde 0.1) [--weights 1,1] [--alpha 0.05] [--power 0.8]
/// [--looks 3 --spending obf|pocock] [--format text|json]`: what a test can detect, or what it needs.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan a test: the lift a number of deals can detect, or the deals a lift needs.",
        discussion: """
            Shows the normal approximation next to the exact power of Boschloo's test (the one `analyze` uses) \
            and of Fisher's. Exact power is a saw-tooth in the number of deals; "deals needed" is the first \
            total that reaches the power. With --looks, adds two-sided Lan-DeMets group-sequential boundaries.
            Example: journeylab plan --baseline 0.2 --mde 0.15 --weights 1,1
            """)

    @Option(parsing: .unconditional, help: "The baseline (control) conversion rate, between 0 and 1 (20% = 0.2).")
    var baseline: Double

    @Option(parsing: .unconditional, help: "Total resolved deals across all arms: prints the minimum detectable lift.")
    var deals: Int?

    @Option(parsing: .unconditional, help: "Lift to detect, absolute (0.1 = 10 points): prints the deals needed.")
    var mde: Double?

    @Option(parsing: .unconditional, help: "Allocation weights, baseline first, comma-separated.")
    var weights: String = "1,1"

    @Option(parsing: .unconditional, help: "Two-sided significance level across all treatments, in (0, 0.5].")
    var alpha: Double = 0.05

    @Option(parsing: .unconditional, help: "Power wanted, in (0.5, 1).")
    var power: Double = 0.8

    @Option(parsing: .unconditional, help: "Number of equally spaced looks for a group-sequential design (1 to 5, as `hypothesis register --looks`).")
    var looks: Int?

    @Option(help: "Alpha spending for --looks: obf (O'Brien-Fleming type, the default) or pocock.")
    var spending: String?

    @OptionGroup var database: UnusedDatabaseOption
    @Option(help: OutputFormat.help)
    var format: OutputFormat = .text

    func validate() throws {
        guard (deals == nil) != (mde == nil) else {
            throw ValidationError("plan needs exactly one of --deals (to get the MDE) or --mde (to get the deals needed)")
        }
        guard spending == nil || looks != nil else {
            throw ValidationError("--spending applies to a sequential design: add --looks 2 to 5, or drop --spending")
        }
        do {
            try ExperimentPlanner.validate(try request())
        } catch let error as StatsError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        let result: PlanningResult
        do {
            result = try ExperimentPlanner.plan(try request())
        } catch let error as StatsError {
            throw ValidationError(error.message)
        }
        if format == .json { return try Output.json(result) }
        Output.line(render(result))
    }

    func request() throws -> PlanningRequest {
        guard let spendingFunction = AlphaSpendingFunction(rawValue: spending ?? "obf") else {
            throw ValidationError("--spending \(spending ?? "") is unknown; use obf or pocock")
        }
        let parts = weights.split(separator: ",").map { Double($0.filter { $0 != " " }) }
        guard parts.count >= 2, parts.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--weights \(weights): give at least two numbers separated by commas, baseline first, e.g. 1,1")
        }
        return PlanningRequest(
            baselineRate: baseline, deals: deals, mde: mde, weights: parts.compactMap { $0 }, alpha: alpha, power: power,
            looks: looks, spending: spendingFunction)
    }

    /// The plan as aligned text.
    func render(_ result: PlanningResult) -> String {
        var lines: [String] = []
        let weightText = result.weights.map { NumberText.fixed($0, decimals: 2) }.joined(separator: ":")
        let powerText = NumberText.fixed(result.power * 100, decimals: 0) + "%"
        var header =
            "Baseline \(NumberText.percent(result.baseline)), alpha \(NumberText.fixed(result.alpha, decimals: 3)) two-sided, power \(powerText), weights \(weightText)"
        if result.weights.count > 2 {
            header +=
                "; each treatment tested at alpha \(NumberText.fixed(result.comparisonAlpha, decimals: 4)) (Holm's first step)"
        }
        lines.append(header)
        let methods = [result.normal, result.boschloo, result.fisher]
        var rows = [["", "normal approx.", "Boschloo exact", "Fisher exact"]]
        func perArm(_ method: PlanningResult.Method) -> String {
            method.dealsPerArm.map { $0.map(String.init).joined(separator: " + ") } ?? "—"
        }
        func powerCell(_ method: PlanningResult.Method) -> String { method.power.map(NumberText.percent) ?? "—" }
        if result.solvedFor == "mde" {
            let total = result.normal.deals ?? 0
            lines.append("With \(total) deals (\(perArm(result.normal))), the smallest lift detected with \(powerText) power:")
            rows.append(
                ["minimum detectable lift"]
                    + methods.enumerated().map { index, method in
                        let exact = index > 0
                        return method.mde.map { "\(NumberText.points($0)) points (→ \(NumberText.percent(result.baseline + $0)))" }
                            ?? (exact && total > ExactPower.searchLimit
                                ? "not computed over \(ExactPower.searchLimit) deals" : "none up to 100%")
                    })
            rows.append(["power at that lift"] + methods.map(powerCell))
        } else {
            let lift = result.normal.mde ?? result.boschloo.mde ?? 0
            lines.append(
                "To detect a lift of \(NumberText.points(lift)) points (\(NumberText.percent(result.baseline)) → \(NumberText.percent(result.baseline + lift))) with \(powerText) power:"
            )
            rows.append(["deals needed"] + methods.map { $0.deals.map(String.init) ?? "over \(ExactPower.searchLimit) (search limit)" })
            rows.append(["per arm"] + methods.map(perArm))
            rows.append(["power with those deals"] + methods.map(powerCell))
        }
        lines.append(contentsOf: TextTable.lines(rows).map { "  " + $0 })
        if let sequential = result.sequential {
            let design = sequential.boundaries
            let name = design.spending == .obrienFleming ? "O'Brien-Fleming-type" : "Pocock-type"
            lines.append("")
            lines.append(
                "Group-sequential design: \(design.critical.count) equally spaced looks, \(name) Lan-DeMets spending, two-sided:")
            var sequentialRows = [["look", "information", "deals", "stop if |z| ≥", "nominal p ≤", "alpha spent"]]
            for index in design.critical.indices {
                sequentialRows.append([
                    String(index + 1), NumberText.percent(design.informationFractions[index]),
                    String(sequential.dealsAtLook[index]),
                    NumberText.fixed(design.critical[index], decimals: 3),
                    NumberText.fixed(design.nominalAlpha[index], decimals: 5),
                    NumberText.fixed(design.cumulativeAlpha[index], decimals: 5),
                ])
            }
            lines.append(contentsOf: TextTable.lines(sequentialRows).map { "  " + $0 })
            lines.append(
                "  (deals per look use the fixed-design Boschloo total; stopping early costs a little power, so add a few percent.)"
            )
        }
        return lines.joined(separator: "\n")
    }
}
