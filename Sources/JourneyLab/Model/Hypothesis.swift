import Foundation
import Stats

/// A testable recommendation: "if we change X at stage S, metric M improves", tested against a control group.
public struct Hypothesis: Sendable, Codable, Equatable {
    /// Human-readable key (slug), e.g. `accessories-email-chain`; the id used by the CLI and the API.
    public var key: String
    public var journeyKey: String
    public var stageKey: String
    public var barrierKey: String?
    public var recommendationKey: String?
    public var title: String
    public var status: Status
    public var outcome: Outcome?
    public var plan: Plan
    /// SHA-256 of the plan's canonical JSON, set when the hypothesis starts (pre-registration).
    public var planHash: String?
    /// When a scheduled hypothesis should start running.
    public var startAt: Date?
    public var startedAt: Date?
    public var endedAt: Date?
    public var createdAt: Date?

    public init(
        key: String, journeyKey: String, stageKey: String, barrierKey: String? = nil, recommendationKey: String? = nil,
        title: String, status: Status = .draft, outcome: Outcome? = nil, plan: Plan, planHash: String? = nil,
        startAt: Date? = nil, startedAt: Date? = nil, endedAt: Date? = nil, createdAt: Date? = nil
    ) {
        self.key = key
        self.journeyKey = journeyKey
        self.stageKey = stageKey
        self.barrierKey = barrierKey
        self.recommendationKey = recommendationKey
        self.title = title
        self.status = status
        self.outcome = outcome
        self.plan = plan
        self.planHash = planHash
        self.startAt = startAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.createdAt = createdAt
    }

    /// Where a hypothesis is in its life.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case draft, scheduled, running, paused, ready, stopped, expired, concluded

        /// Why a test in this status enrolls no deals now, for reports' headlines and reasons: nil while it
        /// collects (running) and once it has ended.
        public var notCollectingReason: String? {
            switch self {
            case .draft: return "not started: no deals are enrolled yet"
            case .scheduled: return "scheduled: no deals are enrolled before the start date"
            case .paused: return "paused: no new deals are enrolled"
            case .running, .ready, .stopped, .expired, .concluded: return nil
            }
        }
    }

    /// How a concluded hypothesis ended.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case adopted, rejected, inconclusive

        /// The outcome a report's decision stands for; nil for `continue`, which decides nothing yet.
        public init?(decision: AnalysisDecision) {
            switch decision {
            case .adopt: self = .adopted
            case .reject: self = .rejected
            case .inconclusive: self = .inconclusive
            case .continue: return nil
            }
        }
    }
}
