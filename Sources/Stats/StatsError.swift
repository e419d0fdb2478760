/// A problem with the input to a statistical function, with a message that says what to fix.
public struct StatsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is; new codes can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidCounts = "invalid_counts"
            case tooFewArms = "too_few_arms"
            case duplicateArm = "duplicate_arm"
            case invalidParameter = "invalid_parameter"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A count is negative, or conversions exceed deals, or deals exceed enrolled.
        public static let invalidCounts = Code(.invalidCounts)
        /// Fewer than two arms were given.
        public static let tooFewArms = Code(.tooFewArms)
        /// Two arms share a name.
        public static let duplicateArm = Code(.duplicateArm)
        /// A parameter (alpha, power, MDE, weights, looks, …) is out of range.
        public static let invalidParameter = Code(.invalidParameter)

        public var description: String { base.rawValue }
    }

    /// The kind of problem.
    public let code: Code
    /// One sentence: what was wrong and how to fix it.
    public let message: String

    /// An error with its code and human message.
    /// - Parameters:
    ///   - code: the kind of problem.
    ///   - message: what was wrong and how to fix it.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
