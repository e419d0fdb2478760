import Foundation
import Logging
import Postgres

/// Moves hypotheses along their lifecycle when time or data says so:
/// scheduled → running at `start_at`; running → ready when resolved deals reach `target_deals` and
/// `min_days` have passed since `started_at`; running → expired at `max_days`.
///
/// Each move is one transaction that locks the hypothesis row (`FOR UPDATE SKIP LOCKED`), re-checks its
/// status, updates it and appends an audit row (actor `scheduler`): any number of processes may tick at
/// once and each move happens exactly once.
///
/// ```swift
/// let moves = try await LifecycleTicker(pool: pool).tick()
/// ```
public struct LifecycleTicker: Sendable {
    /// One status change made by a tick.
    public struct Move: Sendable, Codable, Equatable {
        public var hypothesisKey: String
        public var from: Hypothesis.Status
        public var to: Hypothesis.Status
        public var at: Date
        /// Why, in words (`start_at reached`, `42 of 40 resolved deals after 121 days`, …).
        public var reason: String

        enum CodingKeys: String, CodingKey {
            case hypothesisKey = "hypothesis_id", from, to, at, reason
        }
    }

    public static let actor = "scheduler"

    public let pool: PGPool
    public let clock: any JourneyClock
    private let logger: Logger

    public init(pool: PGPool, clock: any JourneyClock = SystemJourneyClock(), logger: Logger = Logger(label: "journeylab.scheduler")) {
        self.pool = pool
        self.clock = clock
        self.logger = logger
    }

    /// Makes every move that is due at `now`.
    /// - Parameter now: the time to judge by (default: the clock's).
    /// - Returns: the moves made by this call, by hypothesis key.
    /// - Throws: `PGError` when the database fails.
    public func tick(now: Date? = nil) async throws -> [Move] {
        let now = now ?? clock.now()
        let candidates = try await pool.withConnection { connection in
            try connection.query(
                "SELECT key::text FROM hypotheses WHERE status = 'scheduled' AND start_at <= $1::timestamptz OR status = 'running' ORDER BY key",
                [now]
            ).rows { try $0.decode(String.self, 0) }
        }
        var moves: [Move] = []
        for key in candidates {
            if let move = try await pool.withTransaction(.readCommitted, retries: 3, { try Self.move(key, now: now, $0) }) {
                logger.info("hypothesis \(move.from.rawValue) → \(move.to.rawValue)", metadata: ["hypothesis": "\(key)", "reason": "\(move.reason)"])
                moves.append(move)
            }
        }
        return moves
    }

    /// Ticks every `interval` until the task is cancelled; errors are logged and the next tick tries again.
    /// The server hosts this (`journeylab serve`); `journeylab scheduler tick` runs one tick.
    public func run(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                _ = try await tick()
            } catch {
                logger.error("lifecycle tick failed", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// Decides and applies the move due for one hypothesis, inside the caller's transaction.
    static func move(_ key: String, now: Date, _ connection: PGConnection) throws -> Move? {
        // Another ticker holding the row is handling it: skip rather than wait.
        let row = try connection.query(
            """
            SELECT status, start_at, started_at, target_deals, min_days, max_days, plan_hash
              FROM hypotheses WHERE key = $1 FOR UPDATE SKIP LOCKED
            """, [key]
        ).firstRow { row in
            (status: try row.decode(String.self, 0), startAt: try row.decodeIfPresent(Date.self, 1),
             startedAt: try row.decodeIfPresent(Date.self, 2), target: try row.decode(Int.self, 3),
             minDays: try row.decode(Int.self, 4), maxDays: try row.decode(Int.self, 5),
             planHash: try row.decodeIfPresent(String.self, 6))
        }
        guard let row, let status = Hypothesis.Status(rawValue: row.status) else { return nil }

        switch status {
        case .scheduled:
            guard let startAt = row.startAt, startAt <= now else { return nil }
            // A scheduled hypothesis normally has its plan hash already; freeze it now if not.
            let planHash = try row.planHash ?? HypothesisStore.require(key, connection).plan.sha256
            try connection.execute(
                """
                UPDATE hypotheses SET status = 'running', started_at = $2::timestamptz, plan_hash = $3, updated_at = now()
                 WHERE key = $1 AND status = 'scheduled'
                """, [key, now, planHash])
            return try record(Move(hypothesisKey: key, from: .scheduled, to: .running, at: now, reason: "start_at \(PGTimestamp.format(startAt)) reached"), connection)

        case .running:
            guard let startedAt = row.startedAt else { return nil }
            let days = now.timeIntervalSince(startedAt) / 86_400
            if days >= Double(row.minDays) {
                let resolved = try connection.query(
                    """
                    SELECT count(*) FROM assignments a
                     WHERE a.hypothesis_key = $1
                       AND \(OutcomeRule.isResolved(assignment: "a"))
                    """, [key]
                ).scalar(Int.self)
                if resolved >= row.target {
                    try connection.execute(
                        "UPDATE hypotheses SET status = 'ready', updated_at = now() WHERE key = $1 AND status = 'running'", [key])
                    let reason = "\(resolved) resolved deals (target \(row.target)) after \(Int(days)) days (min \(row.minDays))"
                    return try record(Move(hypothesisKey: key, from: .running, to: .ready, at: now, reason: reason), connection)
                }
            }
            if days >= Double(row.maxDays) {
                try connection.execute(
                    "UPDATE hypotheses SET status = 'expired', ended_at = $2::timestamptz, updated_at = now() WHERE key = $1 AND status = 'running'",
                    [key, now])
                let reason = "max_days \(row.maxDays) reached before the target of \(row.target) resolved deals"
                return try record(Move(hypothesisKey: key, from: .running, to: .expired, at: now, reason: reason), connection)
            }
            return nil

        default:
            return nil
        }
    }

    private static func record(_ move: Move, _ connection: PGConnection) throws -> Move {
        struct Snapshot: Encodable {
            var status: String
            var at: Date?
            var reason: String?
        }
        let action: String
        switch move.to {
        case .running: action = "start"
        case .ready: action = "ready"
        default: action = "expire"
        }
        try AuditLog.record(
            connection, actor: actor, action: action, entityType: "hypothesis", entityKey: move.hypothesisKey,
            before: Snapshot(status: move.from.rawValue), after: Snapshot(status: move.to.rawValue, at: move.at, reason: move.reason))
        return move
    }
}
