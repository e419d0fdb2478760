import ArgumentParser
import Foundation
import JourneyLab
import Postgres
import Reports

/// `journeylab hypothesis register | start | pause | resume | stop | conclude | list | show`.
struct HypothesisCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hypothesis",
        abstract: "Register hypotheses with their control group and plan; start, pause, stop and conclude them.",
        subcommands: [
            Register.self, Start.self, Pause.self, Resume.self, Stop.self, Conclude.self, List.self, Show.self,
            HypothesisRandomizationCommand.self,
        ]
    )

    // MARK: register

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a draft hypothesis; shows the lift its target can detect.",
            discussion: """
                The first arm named in --arms is the control. Example:
                  journeylab hypothesis register --journey car-brand-x-family-men-30 \\
                    --stage first-visit --barrier pushy-add-on-selling \\
                    --title "If the customer gets the accessories email chain, …" \\
                    --metric addon_purchased --arms control,treatment --target-deals 150
                """)
        @Option(help: "The journey key.") var journey: String
        @Option(help: "The stage at which deals are assigned (a stage of the journey).") var stage: String
        @Option(help: "The barrier it addresses (a barrier of the stage).") var barrier: String?
        @Option(help: "The recommendation it tests.") var recommendation: String?
        @Option(help: "The hypothesis key (slug); derived from the title when omitted.") var key: String?
        @Option(help: "The hypothesis: \"If …, then … more than when …\".") var title: String
        @Option(help: "What control and treatment get.") var description: String?
        @Option(help: "The event counted as a conversion on resolved deals, e.g. addon_purchased.") var metric: String
        @Option(help: "Arm names, control first (default control,treatment).") var arms: String?
        @Option(parsing: .unconditional, help: "Allocation weights, one per arm (default 1,1).") var weights: String?
        @Option(name: .customLong("target-deals"), parsing: .unconditional, help: "Resolved deals to collect, all arms (default 150).") var targetDeals:
            Int?
        @Option(parsing: .unconditional, help: "Two-sided significance level in (0, 0.5] (default 0.05).") var alpha: Double?
        @Option(parsing: .unconditional, help: "Power in (0.5, 1) (default 0.8).") var power: Double?
        @Option(name: .customLong("baseline-rate"), parsing: .unconditional, help: "Expected control rate (default 0.2).") var baselineRate: Double?
        @Option(parsing: .unconditional, help: "Smallest absolute lift worth acting on (default 0.15).") var mde: Double?
        @Option(name: .customLong("min-days"), parsing: .unconditional, help: "Do not conclude before (default 120).") var minDays: Int?
        @Option(name: .customLong("max-days"), parsing: .unconditional, help: "Expire after (default 180).") var maxDays: Int?
        @Option(help: "block or hash (default block).") var randomization: String?
        @Option(help: "dealer, segment or none (default dealer).") var stratify: String?
        @Option(name: .customLong("exclusion-group"), help: "Hypotheses in one group never share a deal.") var exclusionGroup:
            String?
        @Option(name: .customLong("segment-filter"), help: "Enroll only deals of this segment.") var segmentFilter: String?
        @Option(parsing: .unconditional, help: "Planned analyses, 1–5 (default 1).") var looks: Int?
        @Option(parsing: .unconditional, help: "Seed of the randomization (default random).") var seed: Int64?
        @Option(name: .customLong("start-at"), help: "Planned start date (YYYY-MM-DD); `start` schedules until then.")
        var startAt: String?
        @OptionGroup var database: DatabaseOptions
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func registration() throws -> HypothesisRegistration {
            typealias Problem = HypothesisRegistration.Problem
            var registration = HypothesisRegistration(
                key: key, journey: journey, stage: stage, barrier: barrier, recommendation: recommendation, title: title,
                description: description, metric: metric)
            registration.arms = arms.map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            }
            if let weights {
                registration.weights = try weights.split(separator: ",", omittingEmptySubsequences: false).map { part in
                    let text = part.trimmingCharacters(in: .whitespaces)
                    guard let value = Int(text) else {
                        throw Problem(
                            .weights, "\"\(text)\" is not a whole number", fix: "give one positive integer per arm, e.g. 1,1")
                    }
                    return value
                }
            }
            registration.targetDeals = targetDeals
            registration.alpha = alpha
            registration.power = power
            registration.baselineRate = baselineRate
            registration.mde = mde
            registration.minDays = minDays
            registration.maxDays = maxDays
            registration.randomization = randomization
            registration.stratify = stratify
            registration.exclusionGroup = exclusionGroup
            registration.segmentFilter = segmentFilter
            registration.looks = looks
            registration.seed = seed
            if let startAt {
                guard let date = PlainDate.parse(startAt) else {
                    throw Problem(.startAt, "\"\(startAt)\" is not a date", fix: "write it as 2025-03-01 or 2025-03-01T09:00:00Z")
                }
                registration.startAt = date
            }
            return registration
        }

        func run() async throws {
            let registry = HypothesisRegistry(actor: AuditLog.cliActor())
            let result: HypothesisRegistry.Registration
            do {
                let registration = try registration()
                _ = try registration.validated(against: nil)  // input errors before the database starts
                result = try await withPool(database, size: 1) { pool in
                    try await pool.withConnection { try registry.register(registration, $0) }
                }
            } catch let problem as HypothesisRegistration.Problem {
                throw problem.asCLIError
            }
            if let warning = result.warning { Output.note(warning) }
            let hypothesis = result.hypothesis
            if format == .json {
                return try Output.json(
                    RegisterReport(
                        id: hypothesis.key, status: hypothesis.status, journey: hypothesis.journeyKey, stage: hypothesis.stageKey,
                        barrier: hypothesis.barrierKey, recommendation: hypothesis.recommendationKey, title: hypothesis.title,
                        plan: hypothesis.plan, detectableLift: result.detectableLift.flatMap { $0.isFinite ? $0 : nil },
                        warning: result.warning))
            }
            Output.line("Registered hypothesis \(hypothesis.key) (draft) at \(hypothesis.journeyKey) / \(hypothesis.stageKey).")
            for line in HypothesisText.plan(hypothesis.plan) { Output.line("  " + line) }
            if let lift = result.detectableLift {
                Output.line(
                    "  detectable lift: " + (lift.isFinite ? String(format: "+%.1f percentage points", lift * 100) : "none")
                        + " with \(hypothesis.plan.targetDeals) deals at power \(hypothesis.plan.power)")
            }
            Output.line("Next: `journeylab hypothesis start \(hypothesis.key)` freezes the plan and starts enrolling deals.")
        }
    }

    struct RegisterReport: Encodable {
        var id: String
        var status: Hypothesis.Status
        var journey: String
        var stage: String
        var barrier: String?
        var recommendation: String?
        var title: String
        var plan: Hypothesis.Plan
        var detectableLift: Double?
        var warning: String?
    }

    // MARK: lifecycle

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Freeze the plan (SHA-256) and start enrolling deals; schedules when --start-at is ahead.")
        @OptionGroup var move: MoveOptions
        func run() async throws { try await move.run(.start) }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop enrolling new deals for a while (running → paused).")
        @OptionGroup var move: MoveOptions
        func run() async throws { try await move.run(.pause) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enroll deals again (paused → running).")
        @OptionGroup var move: MoveOptions
        func run() async throws { try await move.run(.resume) }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End the test early (scheduled, running or paused → stopped).")
        @OptionGroup var move: MoveOptions
        func run() async throws { try await move.run(.stop) }
    }

    struct Conclude: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the decision on a ready, stopped or expired hypothesis (→ concluded).",
            discussion: """
                Without --outcome the report's decision is recorded (adopt → adopted, reject → rejected, \
                inconclusive → inconclusive); a report that still says continue needs --outcome to decide anyway.
                """)
        @Option(help: "adopted, rejected or inconclusive (default: the report's decision)") var outcome: String?
        @OptionGroup var move: MoveOptions
        func run() async throws {
            if let outcome {
                guard let known = Hypothesis.Outcome(rawValue: outcome) else {
                    throw JourneyLabError.invalid(
                        "--outcome: \"\(outcome)\" is not an outcome — use adopted, rejected or inconclusive", field: "--outcome")
                }
                return try await move.run(.conclude, outcome: known)
            }
            try await move.run(.conclude, outcome: try await reportedOutcome())
        }

        /// The outcome the hypothesis's report decides, read only when the hypothesis may be concluded (otherwise
        /// the move's own refusal, which names the allowed moves, is the better message).
        private func reportedOutcome() async throws -> Hypothesis.Outcome? {
            let key = move.id
            return try await withPool(move.database, size: 1) { pool -> Hypothesis.Outcome? in
                let hypothesis = try await pool.withConnection { try HypothesisStore.require(key, $0) }
                guard HypothesisLifecycle.allowedMoves(from: hypothesis.status).contains(.conclude) else { return nil }
                let report = try await Evaluator(pool: pool).report(for: key)
                guard let outcome = Hypothesis.Outcome(decision: report.analysis.decision) else {
                    throw JourneyLabError.invalid(
                        "--outcome: the report of \(key) still says continue (\(report.analysis.reasons.first ?? "no decision yet")); "
                            + "to decide anyway, conclude with --outcome adopted, rejected or inconclusive",
                        field: "--outcome")
                }
                Output.note("the report decides \(report.analysis.decision.rawValue): recording the outcome \(outcome.rawValue)")
                return outcome
            }
        }
    }

    // MARK: list / show

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List hypotheses, optionally by journey, stage and status.")
        @Option(help: "Only this journey.") var journey: String?
        @Option(help: "Only this stage.") var stage: String?
        @Option(help: "Only this status: draft, scheduled, running, paused, ready, stopped, expired, concluded.") var status:
            String?
        @OptionGroup var database: DatabaseOptions
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            var statuses: [Hypothesis.Status]?
            if let status {
                guard let parsed = Hypothesis.Status(rawValue: status) else {
                    throw JourneyLabError.invalid(
                        "--status: \"\(status)\" is not a status — use one of "
                            + Hypothesis.Status.allCases.map(\.rawValue).joined(separator: ", "), field: "--status")
                }
                statuses = [parsed]
            }
            let (journey, stage) = (self.journey, self.stage)
            let filter = statuses
            let hypotheses = try await withPool(database, size: 1) { pool in
                try await pool.withConnection { connection in
                    // A mistyped key is named as such, not shown as an empty list.
                    if let journey, !(try JourneyStore.exists(journey, connection)) {
                        throw JourneyLabError.notFound("no journey \"\(journey)\": `journeylab journey list` shows the keys")
                    }
                    if let stage, !(try JourneyStore.stageExists(stage, journey: journey, connection)) {
                        throw JourneyLabError.notFound(
                            "no stage \"\(stage)\"\(journey.map { " in journey \"\($0)\"" } ?? ""): `journeylab journey show JOURNEY` lists the stages")
                    }
                    return try HypothesisStore.list(connection, journey: journey, stage: stage, statuses: filter)
                }
            }
            if format == .json {
                struct Item: Encodable {
                    var id: String
                    var journey: String
                    var stage: String
                    var status: Hypothesis.Status
                    var outcome: Hypothesis.Outcome?
                    var title: String
                    var metric: String
                    var targetDeals: Int
                    var planHash: String?
                }
                return try Output.json(
                    hypotheses.map {
                        Item(
                            id: $0.key, journey: $0.journeyKey, stage: $0.stageKey, status: $0.status, outcome: $0.outcome,
                            title: $0.title, metric: $0.plan.metric, targetDeals: $0.plan.targetDeals, planHash: $0.planHash)
                    })
            }
            if hypotheses.isEmpty { return Output.line("No hypotheses match.") }
            let rows = hypotheses.map { hypothesis in
                [
                    hypothesis.key, hypothesis.status.rawValue + (hypothesis.outcome.map { " (\($0.rawValue))" } ?? ""),
                    "\(hypothesis.journeyKey) / \(hypothesis.stageKey)", hypothesis.plan.metric, String(hypothesis.plan.targetDeals),
                ]
            }
            for line in TextTable.lines([["hypothesis", "status", "journey / stage", "metric", "target"]] + rows, rightAligned: [4]) {
                Output.line(line)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a hypothesis: plan and its SHA-256, status, progress per arm against the target, days.")
        @Argument(help: ArgumentHelp("The hypothesis key.", valueName: "ID")) var id: String
        @OptionGroup var database: DatabaseOptions
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            let key = id
            let registry = HypothesisRegistry(actor: AuditLog.cliActor())
            let details = try await withPool(database, size: 1) { pool in
                try await pool.withConnection { try registry.details(key, $0) }
            }
            let hypothesis = details.hypothesis
            if format == .json {
                struct Report: Encodable {
                    var id: String
                    var details: HypothesisRegistry.Details
                    var planVerified: Bool?
                }
                return try Output.json(
                    Report(
                        id: hypothesis.key, details: details,
                        planVerified: hypothesis.planHash.map { $0 == hypothesis.plan.sha256 }))
            }
            let status = hypothesis.status.rawValue + (hypothesis.outcome.map { " (\($0.rawValue))" } ?? "")
            Output.line("\(hypothesis.key)  [\(status)]")
            Output.line("  \(HypothesisCommand.JourneyText.oneLine(hypothesis.title))")
            var place = "  journey \(hypothesis.journeyKey) · stage \(hypothesis.stageKey)"
            if let barrier = hypothesis.barrierKey { place += " · barrier \(barrier)" }
            if let recommendation = hypothesis.recommendationKey { place += " · recommendation \(recommendation)" }
            Output.line(place)
            if !details.description.isEmpty {
                Output.line("  \(HypothesisCommand.JourneyText.oneLine(details.description, limit: 200))")
            }
            Output.line("plan:")
            for line in HypothesisText.plan(hypothesis.plan) { Output.line("  " + line) }
            if let hash = hypothesis.planHash {
                let verified =
                    hash == hypothesis.plan.sha256 ? "verified" : "MISMATCH: the stored plan does not hash to this value"
                Output.line("  sha256: \(hash) (frozen; \(verified))")
            } else {
                Output.line("  sha256: not frozen yet (draft: `journeylab hypothesis start \(hypothesis.key)` freezes it)")
            }
            let progress = details.progress
            Output.line("progress: \(progress.resolved) of \(progress.targetDeals) deals resolved, \(progress.enrolled) enrolled")
            for arm in progress.arms {
                Output.line(
                    "  \(arm.name)\(arm.isControl ? " (control)" : ""): \(arm.enrolled) enrolled, \(arm.resolved) resolved of \(arm.target)"
                )
            }
            if hypothesis.status == .scheduled, let startAt = hypothesis.startAt {
                Output.line("scheduled to start on \(PlainDate.format(startAt))")
            }
            if let days = progress.daysElapsed {
                Output.line("days: \(days) elapsed · min \(progress.minDays) · max \(progress.maxDays)")
            } else {
                Output.line("days: not started · min \(progress.minDays) · max \(progress.maxDays)")
            }
            let moves = HypothesisLifecycle.describeMoves(from: hypothesis.status)
            Output.line("next moves: " + (moves.isEmpty ? "none (final)" : moves))
        }
    }

    /// Text helpers shared with `journey show`.
    enum JourneyText {
        static func oneLine(_ text: String, limit: Int = 120) -> String { JourneyCommand.Show.oneLine(text, limit: limit) }
    }
}

/// The ID, database and format of a lifecycle command.
struct MoveOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The hypothesis key.", valueName: "ID")) var id: String
    @OptionGroup var database: DatabaseOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .text

    func run(_ move: HypothesisLifecycle.Move, outcome: Hypothesis.Outcome? = nil) async throws {
        let key = id
        let registry = HypothesisRegistry(actor: AuditLog.cliActor())
        let hypothesis = try await withPool(database, size: 1) { pool in
            try await pool.withConnection { try registry.move(key, move, outcome: outcome, $0) }
        }
        if format == .json {
            struct Report: Encodable {
                var id: String
                var status: Hypothesis.Status
                var outcome: Hypothesis.Outcome?
                var planHash: String?
                var startAt: Date?
                var startedAt: Date?
                var endedAt: Date?
            }
            return try Output.json(
                Report(
                    id: hypothesis.key, status: hypothesis.status, outcome: hypothesis.outcome, planHash: hypothesis.planHash,
                    startAt: hypothesis.startAt, startedAt: hypothesis.startedAt, endedAt: hypothesis.endedAt))
        }
        var line = "Hypothesis \(hypothesis.key) is now \(hypothesis.status.rawValue)"
        if let outcome = hypothesis.outcome { line += " (\(outcome.rawValue))" }
        if hypothesis.status == .scheduled, let startAt = hypothesis.startAt {
            line += " to start on \(PlainDate.format(startAt))"
        }
        Output.line(line + ".")
        if move == .start, let hash = hypothesis.planHash { Output.line("Plan frozen: sha256 \(hash)") }
    }
}

/// Plan lines for `register` and `show`.
enum HypothesisText {
    static func plan(_ plan: Hypothesis.Plan) -> [String] {
        var lines = [
            "metric \(plan.metric) · arms "
                + plan.arms.map { "\($0.name)\($0.isControl ? " (control)" : "")×\($0.weight)" }.joined(separator: ", "),
            "target \(plan.targetDeals) resolved deals · alpha \(plan.alpha) · power \(plan.power)"
                + (plan.baselineRate.map { " · baseline \($0)" } ?? "") + (plan.mde.map { " · mde \($0)" } ?? ""),
            "days \(plan.minDays)–\(plan.maxDays) · randomization \(plan.randomization.rawValue) · stratify \(plan.stratify.rawValue)"
                + " · looks \(plan.looks) · seed \(plan.seed)",
        ]
        if let filter = plan.segmentFilter { lines.append("segment filter \(filter)") }
        if let group = plan.exclusionGroup { lines.append("exclusion group \(group)") }
        return lines
    }
}
