import Foundation
import Postgres

/// Registers hypotheses and moves them through their lifecycle, freezing the plan at start and writing an
/// audit row in the same transaction as every change (so the row exists exactly when the change committed).
///
/// Every method takes the caller's connection and runs in one transaction (a savepoint when the caller
/// already opened one, so the importer can register many hypotheses atomically).
/// ```swift
/// let registry = HypothesisRegistry(actor: AuditLog.cliActor())
/// let draft = try registry.register(registration, connection)
/// let running = try registry.move(draft.hypothesis.key, .start, connection)
/// ```
public struct HypothesisRegistry: Sendable {
    public let clock: any JourneyClock
    /// Who acts, for the audit log: `cli:alice`, `key:key_ab12…`, `scheduler`.
    public let actor: String

    public init(clock: any JourneyClock = SystemJourneyClock(), actor: String = AuditLog.cliActor()) {
        self.clock = clock
        self.actor = actor
    }

    /// A registered hypothesis with what its plan can detect.
    public struct Registration: Sendable, Codable, Equatable {
        public var hypothesis: Hypothesis
        public var description: String
        /// The smallest absolute lift the target can detect (`RegistrationAdvice.detectableLift`); nil when the
        /// plan has no baseline rate, `.infinity` when nothing is detectable.
        public var detectableLift: Double?
        /// Set when the plan's MDE is below `detectableLift`.
        public var warning: String?
    }

    /// A hypothesis with its description and progress (`hypothesis show`).
    public struct Details: Sendable, Codable, Equatable {
        public var hypothesis: Hypothesis
        public var description: String
        public var progress: HypothesisProgress
        public var allowedMoves: [HypothesisLifecycle.Move]
    }

    /// What the audit log keeps of a lifecycle move.
    struct StatusSnapshot: Codable, Equatable {
        var status: Hypothesis.Status
        var outcome: Hypothesis.Outcome?
        var planHash: String?
        var startedAt: Date?
        var endedAt: Date?
    }

    /// What the audit log keeps of a registered or edited hypothesis.
    struct Snapshot: Codable, Equatable {
        var hypothesis: Hypothesis
        var description: String
    }

    // MARK: Register

    /// Validates and stores a draft hypothesis.
    /// - Throws: `HypothesisRegistration.Problem` for bad input; `JourneyLabError.notFound` for an unknown
    ///   journey; `.conflict` when the key is taken. Nothing is stored when it throws.
    public func register(_ registration: HypothesisRegistration, _ connection: PGConnection) throws -> Registration {
        try connection.withTransaction { connection in
            let outline = try JourneyStore.outline(registration.journey, connection)
            let hypothesis = try registration.validated(against: outline)
            let description = registration.description ?? ""
            try HypothesisStore.insert(hypothesis, connection)
            try connection.execute("UPDATE hypotheses SET description = $2 WHERE key = $1", [hypothesis.key, description])
            let stored = try HypothesisStore.require(hypothesis.key, connection)
            try AuditLog.record(
                connection, actor: actor, action: "hypothesis.register", entityType: "hypothesis", entityKey: stored.key,
                before: Snapshot?.none, after: Snapshot(hypothesis: stored, description: description))
            return Self.advice(for: stored, description: description)
        }
    }

    /// The registration result with the plan's detectable lift and warning.
    public static func advice(for hypothesis: Hypothesis, description: String) -> Registration {
        let plan = hypothesis.plan
        let lift = plan.baselineRate.map {
            RegistrationAdvice.detectableLift(
                baseline: $0, targetDeals: plan.targetDeals, weights: plan.arms.map(\.weight), alpha: plan.alpha,
                power: plan.power)
        }
        return Registration(
            hypothesis: hypothesis, description: description, detectableLift: lift, warning: RegistrationAdvice.warning(for: plan)
        )
    }

    // MARK: Lifecycle

    /// Makes a lifecycle move.
    ///
    /// `start` freezes the plan: its SHA-256 is stored and from then on the database refuses any plan change.
    /// `ready` requires the target reached and min-days passed; `expire` requires max-days passed.
    /// - Parameter outcome: required by `conclude`, refused by the other moves.
    /// - Returns: the hypothesis after the move.
    /// - Throws: `JourneyLabError.illegalState` naming the current state and the allowed moves; `.notFound`;
    ///   `.invalidInput` for a missing or superfluous outcome.
    @discardableResult
    public func move(
        _ key: String, _ move: HypothesisLifecycle.Move, outcome: Hypothesis.Outcome? = nil, _ connection: PGConnection
    ) throws -> Hypothesis {
        try connection.withTransaction { connection in
            let current = try HypothesisStore.require(key, connection, forUpdate: true)
            let now = clock.now()
            let target = try HypothesisLifecycle.target(
                of: move, from: current.status, key: key, startAt: current.startAt, now: now)
            if move == .conclude, outcome == nil {
                throw JourneyLabError.invalid(
                    "--outcome: missing — conclude with --outcome adopted, rejected or inconclusive", field: "--outcome")
            }
            if move != .conclude, outcome != nil {
                throw JourneyLabError.invalid("--outcome: only `conclude` takes an outcome — drop --outcome", field: "--outcome")
            }
            if move == .ready || move == .expire {
                let progress = try HypothesisProgress.load(for: current, now: now, connection)
                if move == .ready, !(progress.targetReached && progress.minDaysPassed) {
                    throw JourneyLabError(
                        .illegalState,
                        "cannot mark hypothesis \(key) ready: \(progress.resolved) of \(progress.targetDeals) deals resolved, "
                            + "day \(progress.daysElapsed ?? 0) of min \(progress.minDays) — it is ready when both are reached")
                }
                if move == .expire, !progress.maxDaysPassed {
                    throw JourneyLabError(
                        .illegalState,
                        "cannot expire hypothesis \(key): day \(progress.daysElapsed ?? 0) of max \(progress.maxDays) — it expires when max-days have passed"
                    )
                }
            }
            var next = current
            next.status = target
            next.outcome = outcome
            if move == .start || move == .activate, next.planHash == nil { next.planHash = current.plan.sha256 }
            if target == .running, next.startedAt == nil { next.startedAt = now }
            if [.stopped, .expired, .concluded].contains(target), next.endedAt == nil { next.endedAt = now }
            try connection.execute(
                """
                UPDATE hypotheses SET status = $2, outcome = $3, plan_hash = $4, started_at = $5::timestamptz,
                       ended_at = $6::timestamptz, updated_at = $7::timestamptz
                 WHERE key = $1
                """,
                [key, next.status.rawValue, next.outcome?.rawValue, next.planHash, next.startedAt, next.endedAt, now])
            let after = try HypothesisStore.require(key, connection)
            try AuditLog.record(
                connection, actor: actor, action: "hypothesis.\(move.rawValue)", entityType: "hypothesis", entityKey: key,
                before: Self.statusSnapshot(current), after: Self.statusSnapshot(after))
            return after
        }
    }

    static func statusSnapshot(_ hypothesis: Hypothesis) -> StatusSnapshot {
        StatusSnapshot(
            status: hypothesis.status, outcome: hypothesis.outcome, planHash: hypothesis.planHash,
            startedAt: hypothesis.startedAt, endedAt: hypothesis.endedAt)
    }

    // MARK: Edits

    /// Changes the plan of a hypothesis that has not started.
    /// - Throws: `JourneyLabError.illegalState` when the plan is frozen (the hypothesis started; the database
    ///   trigger refuses too); `HypothesisRegistration.Problem` when the changed plan is invalid.
    @discardableResult
    public func updatePlan(
        _ key: String, _ connection: PGConnection, _ change: (inout Hypothesis.Plan) throws -> Void
    ) throws -> Hypothesis {
        try connection.withTransaction { connection in
            let current = try HypothesisStore.require(key, connection, forUpdate: true)
            try Self.refuseFrozen(current)
            var plan = current.plan
            try change(&plan)
            var changed = current
            changed.plan = plan
            let revalidated = try Self.registration(from: changed, description: nil).validated(against: nil)
            let description = try Self.description(key, connection)
            return try replaceDraft(current: current, with: revalidated, description: description, connection)
        }
    }

    /// Replaces a draft's descriptive fields and plan (used by `updatePlan` and the importer); writes one
    /// `hypothesis.update` audit row. Returns the stored hypothesis.
    func replaceDraft(current: Hypothesis, with new: Hypothesis, description: String, _ connection: PGConnection) throws
        -> Hypothesis
    {
        try Self.refuseFrozen(current)
        let plan = new.plan
        let before = Snapshot(hypothesis: current, description: try Self.description(current.key, connection))
        do {
            try connection.execute(
                """
                UPDATE hypotheses SET stage_key = $2, barrier_key = $3, recommendation_key = $4, title = $5, description = $6,
                       metric = $7, target_deals = $8::int4, alpha = $9::float8, power = $10::float8,
                       baseline_rate = $11::float8, mde = $12::float8, min_days = $13::int4, max_days = $14::int4,
                       randomization = $15, stratify = $16, looks = $17::int4, seed = $18::int8, segment_filter = $19,
                       exclusion_group = $20, start_at = $21::timestamptz, updated_at = $22::timestamptz
                 WHERE key = $1
                """,
                [
                    current.key, new.stageKey, new.barrierKey, new.recommendationKey, new.title, description, plan.metric,
                    plan.targetDeals, plan.alpha, plan.power, plan.baselineRate, plan.mde, plan.minDays, plan.maxDays,
                    plan.randomization.rawValue, plan.stratify.rawValue, plan.looks, plan.seed, plan.segmentFilter,
                    plan.exclusionGroup, new.startAt, clock.now(),
                ])
            if plan.arms != current.plan.arms { try HypothesisStore.insertArms(current.key, plan.arms, connection) }
        } catch let error as PGError where error.constraint == "frozen_plan" {
            throw Self.frozenError(current)
        }
        let stored = try HypothesisStore.require(current.key, connection)
        try AuditLog.record(
            connection, actor: actor, action: "hypothesis.update", entityType: "hypothesis", entityKey: current.key,
            before: before, after: Snapshot(hypothesis: stored, description: description))
        return stored
    }

    static func refuseFrozen(_ hypothesis: Hypothesis) throws {
        if hypothesis.planHash != nil { throw frozenError(hypothesis) }
    }

    static func frozenError(_ hypothesis: Hypothesis) -> JourneyLabError {
        JourneyLabError(
            .illegalState,
            "the plan of hypothesis \(hypothesis.key) is frozen since it started (\(hypothesis.status.rawValue), sha256 "
                + "\(hypothesis.planHash?.prefix(12) ?? "…")…): register a new hypothesis to test a changed plan")
    }

    /// The registration that would produce this hypothesis (for revalidating edits).
    static func registration(from hypothesis: Hypothesis, description: String?) -> HypothesisRegistration {
        let plan = hypothesis.plan
        var registration = HypothesisRegistration(
            key: hypothesis.key, journey: hypothesis.journeyKey, stage: hypothesis.stageKey, barrier: hypothesis.barrierKey,
            recommendation: hypothesis.recommendationKey, title: hypothesis.title, description: description, metric: plan.metric)
        registration.arms = plan.arms.map(\.name)
        registration.weights = plan.arms.map(\.weight)
        registration.targetDeals = plan.targetDeals
        registration.alpha = plan.alpha
        registration.power = plan.power
        registration.baselineRate = plan.baselineRate
        registration.mde = plan.mde
        registration.minDays = plan.minDays
        registration.maxDays = plan.maxDays
        registration.randomization = plan.randomization.rawValue
        registration.stratify = plan.stratify.rawValue
        registration.exclusionGroup = plan.exclusionGroup
        registration.segmentFilter = plan.segmentFilter
        registration.looks = plan.looks
        registration.seed = plan.seed
        registration.startAt = hypothesis.startAt
        return registration
    }

    static func description(_ key: String, _ connection: PGConnection) throws -> String {
        try connection.query("SELECT description FROM hypotheses WHERE key = $1", [key]).firstRow {
            try $0.decode(String.self, 0)
        } ?? ""
    }

    // MARK: Read

    /// Plan, status, description and progress of one hypothesis.
    /// - Throws: `JourneyLabError.notFound`.
    public func details(_ key: String, _ connection: PGConnection) throws -> Details {
        let hypothesis = try HypothesisStore.require(key, connection)
        return Details(
            hypothesis: hypothesis, description: try Self.description(key, connection),
            progress: try HypothesisProgress.load(for: hypothesis, now: clock.now(), connection),
            allowedMoves: HypothesisLifecycle.allowedMoves(from: hypothesis.status))
    }
}
