/// The keys of a journey's stages, barriers and recommendations: enough to check what a hypothesis names.
///
/// Built from a CJM file (`CJMFile.outline`) before import, or from the database (`JourneyStore.outline`)
/// at `hypothesis register`, so both paths apply the same rules.
public struct JourneyOutline: Sendable, Equatable {
    public struct Stage: Sendable, Equatable {
        public var key: String
        public var barriers: [Barrier]
        /// Recommendations for the stage as a whole.
        public var recommendations: [String]

        public init(key: String, barriers: [Barrier] = [], recommendations: [String] = []) {
            self.key = key
            self.barriers = barriers
            self.recommendations = recommendations
        }
    }

    public struct Barrier: Sendable, Equatable {
        public var key: String
        public var recommendations: [String]

        public init(key: String, recommendations: [String] = []) {
            self.key = key
            self.recommendations = recommendations
        }
    }

    public var journey: String
    public var stages: [Stage]

    public init(journey: String, stages: [Stage]) {
        self.journey = journey
        self.stages = stages
    }

    /// Checks that the stage is of this journey, the barrier of that stage and the recommendation of that
    /// barrier (or, without a barrier, of the stage directly or through one of its barriers).
    /// - Throws: `HypothesisRegistration.Problem` naming the field and the keys that would fit.
    public func check(stage: String, barrier: String?, recommendation: String?) throws {
        typealias Problem = HypothesisRegistration.Problem
        guard let found = stages.first(where: { $0.key == stage }) else {
            throw Problem(
                .stage, "\"\(stage)\" is not a stage of journey \(journey)",
                fix: "use one of " + Self.list(stages.map(\.key)))
        }
        var allowedRecommendations = found.recommendations + found.barriers.flatMap(\.recommendations)
        if let barrier {
            guard let foundBarrier = found.barriers.first(where: { $0.key == barrier }) else {
                throw Problem(
                    .barrier, "\"\(barrier)\" is not a barrier of stage \(stage)",
                    fix: found.barriers.isEmpty
                        ? "stage \(stage) has no barriers: omit the barrier or add it to the journey"
                        : "use one of " + Self.list(found.barriers.map(\.key)))
            }
            allowedRecommendations = foundBarrier.recommendations
        }
        if let recommendation, !allowedRecommendations.contains(recommendation) {
            let owner = barrier.map { "barrier \($0)" } ?? "stage \(stage)"
            throw Problem(
                .recommendation, "\"\(recommendation)\" is not a recommendation of \(owner)",
                fix: allowedRecommendations.isEmpty
                    ? "\(owner) has no recommendations: omit the recommendation"
                    : "use one of " + Self.list(allowedRecommendations))
        }
    }

    static func list(_ keys: [String]) -> String {
        keys.count <= 8 ? keys.joined(separator: ", ") : keys.prefix(8).joined(separator: ", ") + ", …"
    }
}
