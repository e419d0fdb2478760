import Foundation

/// A Customer Journey Map file as read by `journeylab journey import` (format: `docs/cjm-format.md`).
///
/// Every item keeps the line it starts on, so checks made after parsing (a hypothesis naming a barrier
/// of another stage, a repeated key) can still point at the file.
public struct CJMFile: Sendable, Equatable {
    /// The file name used in messages (`examples/car-brand-x.yaml`).
    public var fileName: String
    public var journey: String
    public var name: String
    public var description: String
    public var segment: Segment
    /// In funnel order.
    public var stages: [Stage]
    public var hypotheses: [HypothesisEntry]

    public init(
        fileName: String, journey: String, name: String, description: String = "", segment: Segment, stages: [Stage],
        hypotheses: [HypothesisEntry] = []
    ) {
        self.fileName = fileName
        self.journey = journey
        self.name = name
        self.description = description
        self.segment = segment
        self.stages = stages
        self.hypotheses = hypotheses
    }

    /// The customer segment (target group) the map is for.
    public struct Segment: Sendable, Equatable, Codable {
        public var key: String
        public var name: String
        public var description: String
        /// Free-form portrait: age, income, family, interests, …
        public var portrait: [String: String]

        public init(key: String, name: String, description: String = "", portrait: [String: String] = [:]) {
            self.key = key
            self.name = name
            self.description = description
            self.portrait = portrait
        }
    }

    /// One funnel stage.
    public struct Stage: Sendable, Equatable {
        public var key: String
        public var name: String
        public var customerGoals: [String] = []
        public var customerThoughts: [String] = []
        public var customerActions: [String] = []
        public var brandGoals: [String] = []
        public var touchpoints: [Touchpoint] = []
        /// `positive`, `neutral` or `negative`.
        public var experience: String?
        public var experienceNote: String = ""
        public var barriers: [Barrier] = []
        /// Recommendations for the stage as a whole (no barrier).
        public var recommendations: [Recommendation] = []
        public var line: Int = 0

        public init(key: String, name: String, line: Int = 0) {
            self.key = key
            self.name = name
            self.line = line
        }
    }

    /// Where brand and customer meet at a stage.
    public struct Touchpoint: Sendable, Equatable, Codable {
        public var channel: String
        public var description: String

        public init(channel: String, description: String = "") {
            self.channel = channel
            self.description = description
        }
    }

    /// What stops customers moving to the next stage.
    public struct Barrier: Sendable, Equatable {
        public var key: String
        public var text: String
        /// `interview`, `survey`, `forum` or `analytics`.
        public var source: String
        /// `low`, `medium` or `high`.
        public var severity: String = "medium"
        public var recommendations: [Recommendation] = []
        public var line: Int = 0

        public init(key: String, text: String, source: String, severity: String = "medium", line: Int = 0) {
            self.key = key
            self.text = text
            self.source = source
            self.severity = severity
            self.line = line
        }
    }

    /// What the brand should change to remove or weaken a barrier.
    public struct Recommendation: Sendable, Equatable {
        public var key: String
        public var text: String
        public var line: Int = 0

        public init(key: String, text: String, line: Int = 0) {
            self.key = key
            self.text = text
            self.line = line
        }
    }

    /// A `hypotheses:` entry: the same fields as `hypothesis register`, plus where it is in the file.
    public struct HypothesisEntry: Sendable, Equatable {
        public var registration: HypothesisRegistration
        public var line: Int
        /// The line of each field that was given, for messages about its value.
        public var fieldLines: [HypothesisRegistration.Field: Int]

        public init(registration: HypothesisRegistration, line: Int, fieldLines: [HypothesisRegistration.Field: Int] = [:]) {
            self.registration = registration
            self.line = line
            self.fieldLines = fieldLines
        }
    }

    /// The stages, barriers and recommendations as a lookup for hypothesis checks.
    public var outline: JourneyOutline {
        JourneyOutline(
            journey: journey,
            stages: stages.map { stage in
                JourneyOutline.Stage(
                    key: stage.key,
                    barriers: stage.barriers.map { .init(key: $0.key, recommendations: $0.recommendations.map(\.key)) },
                    recommendations: stage.recommendations.map(\.key))
            })
    }
}
