import Foundation
import Postgres
import Stats

/// Evaluates hypotheses: counts from SQL aggregates, statistics from `Stats`, a decision with its reasons.
///
/// ```swift
/// let report = try await Evaluator(pool: pool).report(for: "accessories-email-chain")
/// print(report.analysis.decision, report.analysis.reasons)
/// ```
public struct Evaluator: Sendable {
    public let pool: PGPool
    public let clock: any JourneyClock

    public init(pool: PGPool, clock: any JourneyClock = SystemJourneyClock()) {
        self.pool = pool
        self.clock = clock
    }

    /// The report of one hypothesis.
    /// - Throws: `JourneyLabError.notFound` for an unknown key; `PGError` when the database fails.
    public func report(for key: String) async throws -> HypothesisReport {
        try await reports(for: [key])[0]
    }

    /// Where a report's time went (for `scripts/bench/report.sh`).
    public struct Timings: Sendable {
        public var sql: Duration = .zero
        public var statistics: Duration = .zero
    }

    /// Reports for several hypotheses, with Benjamini–Hochberg across their primary p-values.
    public func reports(for keys: [String]) async throws -> [HypothesisReport] {
        try await reportsWithTimings(for: keys).reports
    }

    /// Like `reports(for:)`, also saying how long the SQL and the statistics took.
    public func reportsWithTimings(for keys: [String]) async throws -> (reports: [HypothesisReport], timings: Timings) {
        let now = clock.now()
        let clock = ContinuousClock()
        var timings = Timings()
        let sqlStart = clock.now
        // One aggregate per hypothesis, spread over the pool's connections (the server runs them side by side).
        let chunkCount = max(1, min(pool.options.size, keys.count / 16))
        let chunks = stride(from: 0, to: keys.count, by: max(1, (keys.count + chunkCount - 1) / chunkCount)).map {
            Array(keys[$0..<min($0 + (keys.count + chunkCount - 1) / chunkCount, keys.count)])
        }
        let loaded = try await withThrowingTaskGroup(
            of: (Int, [(Hypothesis, EvaluationQuery.Context, [EvaluationQuery.Group])]).self
        ) { group in
            for (index, chunk) in chunks.enumerated() {
                group.addTask {
                    let rows = try await pool.withConnection { connection in
                        try chunk.map { key -> (Hypothesis, EvaluationQuery.Context, [EvaluationQuery.Group]) in
                            let hypothesis = try HypothesisStore.require(key, connection)
                            return (
                                hypothesis, try EvaluationQuery.context(for: hypothesis, connection),
                                try EvaluationQuery.groups(hypothesis: key, metric: hypothesis.plan.metric, connection)
                            )
                        }
                    }
                    return (index, rows)
                }
            }
            var byIndex: [Int: [(Hypothesis, EvaluationQuery.Context, [EvaluationQuery.Group])]] = [:]
            for try await (index, rows) in group { byIndex[index] = rows }
            return chunks.indices.flatMap { byIndex[$0] ?? [] }
        }
        timings.sql = clock.now - sqlStart
        let statsStart = clock.now
        var reports = try loaded.map { try Self.evaluate($0.0, context: $0.1, groups: $0.2, now: now) }
        // The family is the hypotheses that have a p-value: one without resolved deals in both arms tested
        // nothing, so it neither counts towards the correction nor gets an adjusted value.
        let primary = reports.map { $0.analysis.comparisons.map(\.pAdjusted).filter(\.isFinite).min() }
        let tested = primary.indices.filter { primary[$0] != nil }
        if tested.count > 1 {
            let adjusted = MultipleTesting.benjaminiHochberg(tested.map { primary[$0]! })
            for (index, value) in zip(tested, adjusted) { reports[index].pAdjustedAcrossReport = value }
        }
        timings.statistics = clock.now - statsStart
        return (reports, timings)
    }

    /// Keys of a journey's hypotheses in funnel order (for `report --journey`).
    public func hypothesisKeys(journey: String) async throws -> [String] {
        try await pool.withConnection { try HypothesisStore.list($0, journey: journey).map(\.key) }
    }

    // MARK: Pure part (unit-testable without a database)

    static func evaluate(
        _ hypothesis: Hypothesis, context: EvaluationQuery.Context, groups: [EvaluationQuery.Group], now: Date
    ) throws -> HypothesisReport {
        let plan = hypothesis.plan
        // Control first: the analysis treats the first arm as the baseline.
        let orderedArms = plan.arms.filter(\.isControl) + plan.arms.filter { !$0.isControl }
        var totals = Dictionary(uniqueKeysWithValues: orderedArms.map { ($0.name, ArmTally(arm: $0.name)) })
        var byDealer: [String: [String: ArmTally]] = [:]
        var byStratum: [String: [String: Int]] = [:]
        var byWeek: [Date: [String: ArmTally]] = [:]
        for group in groups {
            totals[group.arm, default: ArmTally(arm: group.arm)].add(group.tally)
            byDealer[group.dealer, default: [:]][group.arm, default: ArmTally(arm: group.arm)].add(group.tally)
            byStratum[group.stratum, default: [:]][group.arm, default: 0] += group.tally.enrolled
            if let week = group.resolvedWeek {
                var resolved = group.tally
                resolved.enrolled = 0
                byWeek[week, default: [:]][group.arm, default: ArmTally(arm: group.arm)].add(resolved)
            }
        }

        let resolved = totals.values.reduce(0) { $0 + $1.deals }
        let enrolled = totals.values.reduce(0) { $0 + $1.enrolled }
        // A stopped or expired test gets no more deals: its decision rests on the deals at hand.
        let isComplete = resolved >= plan.targetDeals || [.concluded, .stopped, .expired].contains(hypothesis.status)
        let counts = orderedArms.map {
            let tally = totals[$0.name] ?? ArmTally(arm: $0.name)
            return ArmCounts(name: $0.name, enrolled: tally.enrolled, deals: tally.deals, conversions: tally.conversions)
        }

        // Planned looks: has the current look's boundary been crossed?
        var boundaries: SequentialBoundaries?
        var boundaryCrossed = false
        if plan.looks > 1 {
            boundaries = try? GroupSequentialDesign.boundaries(
                alpha: plan.alpha, informationFractions: GroupSequentialDesign.equallySpaced(looks: plan.looks),
                spending: .obrienFleming)
            if let boundaries, counts.count >= 2, plan.targetDeals > 0 {
                let fraction = Double(resolved) / Double(plan.targetDeals)
                let look = boundaries.informationFractions.lastIndex { $0 <= fraction + 1e-12 }
                if let look, counts[0].deals > 0, counts[1].deals > 0 {
                    let z = ProportionZTest.pooled(
                        successes1: counts[1].conversions, trials1: counts[1].deals,
                        successes2: counts[0].conversions, trials2: counts[0].deals
                    ).statistic
                    boundaryCrossed = z.isFinite && boundaries.crosses(z: z, atLook: look)
                }
            }
        }

        let analysisPlan = AnalysisPlan(
            alpha: plan.alpha, power: plan.power, mde: plan.mde, weights: orderedArms.map { Double($0.weight) },
            targetDeals: plan.targetDeals, isComplete: isComplete, boundaryCrossed: boundaryCrossed,
            baselineRate: plan.baselineRate, metric: plan.metric)
        var analysis = try ProportionAnalysis.analyze(counts, plan: analysisPlan)
        if let note = Self.statusReason(hypothesis, resolved: resolved) { analysis.reasons.insert(note, at: 0) }

        // Under block randomization every stratum stays within one open block of its planned split.
        var integrityError: String?
        if plan.randomization == .block {
            let weightSum = orderedArms.reduce(0) { $0 + $1.weight }
            let largestBlock = 3 * weightSum
            for (stratum, arms) in byStratum.sorted(by: { $0.key < $1.key }) {
                let n = arms.values.reduce(0, +)
                for arm in orderedArms {
                    let expected = Double(n * arm.weight) / Double(weightSum)
                    if abs(Double(arms[arm.name] ?? 0) - expected) > Double(largestBlock) {
                        integrityError =
                            "stratum \(stratum): arm \(arm.name) has \(arms[arm.name] ?? 0) of \(n) deals, more than one open block (\(largestBlock)) away from its planned share: the assignment sequence was not followed"
                    }
                }
            }
            if let integrityError {
                analysis.reasons.insert("Assignment integrity error — " + integrityError + ".", at: 0)
            }
        }

        // While running, the analysis's own first reason already counts the deals still needed; after an
        // early boundary crossing it does not, so say it here.
        let stillNeeded = max(0, plan.targetDeals - resolved)
        if !isComplete && boundaryCrossed {
            analysis.reasons.append(
                "\(resolved) of the planned \(plan.targetDeals) deals have closed: \(stillNeeded) more are needed before the final analysis.")
        }

        // Stratified analysis across dealers: the first treatment against the control.
        var stratified: CochranMantelHaenszel.Result?
        if orderedArms.count >= 2 {
            let control = orderedArms[0].name, treatment = orderedArms[1].name
            stratified = CochranMantelHaenszel.test(
                byDealer.values.map { arms in
                    CochranMantelHaenszel.Stratum(
                        treatmentConversions: arms[treatment]?.conversions ?? 0, treatmentDeals: arms[treatment]?.deals ?? 0,
                        controlConversions: arms[control]?.conversions ?? 0, controlDeals: arms[control]?.deals ?? 0)
                })
        }

        var cumulative = Dictionary(uniqueKeysWithValues: orderedArms.map { ($0.name, ArmTally(arm: $0.name)) })
        let timeline = byWeek.keys.sorted().map { week -> HypothesisReport.WeekSlice in
            for (arm, tally) in byWeek[week] ?? [:] { cumulative[arm, default: ArmTally(arm: arm)].add(tally) }
            return HypothesisReport.WeekSlice(week: week, arms: orderedArms.map { cumulative[$0.name] ?? ArmTally(arm: $0.name) })
        }

        return HypothesisReport(
            analysis: analysis,
            hypothesis: .init(
                id: hypothesis.key, title: hypothesis.title, journey: hypothesis.journeyKey, journeyName: context.journeyName,
                stage: hypothesis.stageKey, stageName: context.stageName, barrier: hypothesis.barrierKey,
                barrierText: context.barrierText, recommendation: hypothesis.recommendationKey,
                recommendationText: context.recommendationText, status: hypothesis.status.rawValue,
                outcome: hypothesis.outcome?.rawValue),
            plan: .init(
                metric: plan.metric, arms: orderedArms.map(\.name), weights: orderedArms.map(\.weight),
                control: orderedArms.first?.name ?? "", targetDeals: plan.targetDeals, alpha: plan.alpha, power: plan.power,
                baselineRate: plan.baselineRate, mde: plan.mde, minDays: plan.minDays, maxDays: plan.maxDays,
                randomization: plan.randomization.rawValue, stratify: plan.stratify.rawValue, looks: plan.looks,
                hash: hypothesis.planHash),
            progress: .init(
                enrolled: enrolled, resolved: resolved, target: plan.targetDeals, dealsStillNeeded: stillNeeded,
                daysElapsed: hypothesis.startedAt.map { now.timeIntervalSince($0) / 86_400 }, startedAt: hypothesis.startedAt,
                isComplete: isComplete),
            dealers: byDealer.keys.sorted().map { dealer in
                .init(dealer: dealer, arms: orderedArms.map { byDealer[dealer]?[$0.name] ?? ArmTally(arm: $0.name) })
            },
            timeline: timeline, stratified: stratified, boundaries: boundaries, pAdjustedAcrossReport: nil,
            integrityError: integrityError,
            revenue: orderedArms.map { arm in
                let tally = totals[arm.name] ?? ArmTally(arm: arm.name)
                return .init(arm: arm.name, total: tally.revenue, perResolvedDeal: tally.deals > 0 ? tally.revenue / Double(tally.deals) : nil)
            },
            generatedAt: now)
    }
}

extension Evaluator {
    /// What the hypothesis's status means for its decision, when the numbers alone would mislead: a draft
    /// or paused test "keeps collecting" only once someone starts or resumes it, and a stopped or expired
    /// one collects nothing more.
    static func statusReason(_ hypothesis: Hypothesis, resolved: Int) -> String? {
        let key = hypothesis.key, target = hypothesis.plan.targetDeals
        let waiting = hypothesis.status.notCollectingReason ?? ""
        switch hypothesis.status {
        case .draft:
            return "\(waiting) — `journeylab hypothesis start \(key)` freezes the plan and starts the test."
        case .scheduled:
            return "\(waiting)" + (hypothesis.startAt.map { ", \(PlainDate.format($0))" } ?? "") + "."
        case .paused:
            return "\(waiting) — `journeylab hypothesis resume \(key)` resumes the test."
        case .stopped, .expired, .concluded:
            guard resolved < target else { return nil }
            let ended = hypothesis.status == .expired ? "expired (max-days passed)" : hypothesis.status.rawValue
            return "\(ended) with \(resolved) of the \(target) planned deals resolved: no more deals will come, so the decision rests on these."
        case .running, .ready:
            return nil
        }
    }
}
