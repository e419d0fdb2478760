import Foundation
import Postgres

/// The moves a hypothesis can make, as a pure state machine (the registry applies them in the database).
///
/// ```
/// draft ──start──▶ scheduled (start date ahead) ──activate / start──▶ running
/// draft ──start──▶ running ──pause──▶ paused ──resume──▶ running
/// running ──ready (target reached, min-days passed)──▶ ready ──conclude──▶ concluded (adopted | rejected | inconclusive)
/// running | paused | scheduled ──stop──▶ stopped          running ──expire (max-days passed)──▶ expired
/// stopped | expired ──conclude──▶ concluded (the outcome of a test that ended before its plan did)
/// ```
/// `concluded` is final; a stopped or expired test takes no more deals and can only be concluded.
public enum HypothesisLifecycle {
    /// A lifecycle move. The marketer makes `start`, `pause`, `resume`, `stop`, `conclude`; the lifecycle
    /// ticker makes `activate`, `ready` and `expire`.
    public enum Move: String, Sendable, CaseIterable, Codable {
        case start, activate, pause, resume, ready, stop, expire, conclude

        /// The verb for messages ("cannot pause").
        public var verb: String {
            switch self {
            case .ready: return "mark ready"
            default: return rawValue
            }
        }

        /// For the moves only the lifecycle ticker makes: when it makes them. `nil` for the marketer's moves,
        /// which are `journeylab hypothesis` subcommands of the same name.
        public var tickerCondition: String? {
            switch self {
            case .activate: return "activate on the start date"
            case .ready: return "ready once the target deals are resolved and min-days have passed"
            case .expire: return "expire when max-days pass"
            case .start, .pause, .resume, .stop, .conclude: return nil
            }
        }
    }

    /// The allowed moves from a status in words: the marketer's commands first, then what the ticker will
    /// do ("pause, stop; the lifecycle ticker: ready once …, expire when …"), so nobody looks for a
    /// `hypothesis ready` command.
    public static func describeMoves(from status: Hypothesis.Status) -> String {
        let allowed = allowedMoves(from: status)
        let manual = allowed.filter { $0.tickerCondition == nil }.map(\.rawValue)
        let ticker = allowed.compactMap(\.tickerCondition)
        var parts: [String] = []
        if !manual.isEmpty { parts.append(manual.joined(separator: ", ")) }
        if !ticker.isEmpty { parts.append("the lifecycle ticker: " + ticker.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }

    /// The moves allowed from a status, in a stable order.
    public static func allowedMoves(from status: Hypothesis.Status) -> [Move] {
        switch status {
        case .draft: return [.start]
        case .scheduled: return [.start, .activate, .stop]
        case .running: return [.pause, .stop, .ready, .expire]
        case .paused: return [.resume, .stop]
        case .ready, .stopped, .expired: return [.conclude]
        case .concluded: return []
        }
    }

    /// Where a move leads from a status.
    /// - Parameters:
    ///   - startAt: the hypothesis's planned start; `start` from draft schedules when it is after `now`.
    ///   - now: the clock's time.
    /// - Throws: `JourneyLabError.illegalState` naming the current state and the allowed moves.
    public static func target(
        of move: Move, from status: Hypothesis.Status, key: String = "", startAt: Date? = nil, now: Date
    ) throws -> Hypothesis.Status {
        guard allowedMoves(from: status).contains(move) else { throw refusal(move, from: status, key: key) }
        switch move {
        case .start:
            if status == .draft, let startAt, startAt > now { return .scheduled }
            return .running
        case .activate:
            if let startAt, startAt > now {
                throw JourneyLabError(
                    .illegalState,
                    "cannot activate hypothesis \(key): it is scheduled for \(PlainDate.format(startAt)) — wait, or run `journeylab hypothesis start \(key)` to start now"
                )
            }
            return .running
        case .pause: return .paused
        case .resume: return .running
        case .ready: return .ready
        case .stop: return .stopped
        case .expire: return .expired
        case .conclude: return .concluded
        }
    }

    /// The error for a move not allowed from `status`.
    public static func refusal(_ move: Move, from status: Hypothesis.Status, key: String) -> JourneyLabError {
        let allowed = allowedMoves(from: status)
        let name = key.isEmpty ? "the hypothesis" : "hypothesis \(key)"
        let next =
            allowed.isEmpty
            ? "\(status.rawValue) is final: no move is allowed"
            : "from \(status.rawValue) the allowed moves are: " + describeMoves(from: status)
        return JourneyLabError(.illegalState, "cannot \(move.verb) \(name): it is \(status.rawValue); \(next)")
    }
}

/// Dates as the marketer types and reads them: `2025-03-01` (UTC midnight) or full ISO 8601.
public enum PlainDate {
    /// Parses `YYYY-MM-DD` or ISO 8601 with time and zone; nil when neither (a time without a zone is
    /// ambiguous, so it is refused).
    public static func parse(_ text: String) -> Date? { RFC3339.date(text) }

    /// `2025-03-01T00:00:00Z`.
    public static func format(_ date: Date) -> String { RFC3339.string(date) }
}
