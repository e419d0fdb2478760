/// What a dealer system sends to learn a deal's arms (`POST /v1/assignments`, `journeylab assign`).
public struct AssignmentRequest: Sendable, Codable, Equatable {
    public var dealID: String
    public var dealerID: String
    /// The stage the deal has reached; it is enrolled in the running hypotheses of that stage.
    public var stage: String
    public var segment: String?
    public var attributes: [String: String]?

    public init(dealID: String, dealerID: String, stage: String, segment: String? = nil, attributes: [String: String]? = nil) {
        self.dealID = dealID
        self.dealerID = dealerID
        self.stage = stage
        self.segment = segment
        self.attributes = attributes
    }

    enum CodingKeys: String, CodingKey {
        case dealID = "deal_id", dealerID = "dealer_id", stage, segment, attributes
    }
}

/// The arms of one deal: every hypothesis it is enrolled in, new or earlier.
public struct AssignmentResult: Sendable, Codable, Equatable {
    public var dealID: String
    public var assignments: [Assignment]
    /// What the caller should look at although nothing failed (a stage no journey has); absent when none.
    public var warnings: [String]?

    public init(dealID: String, assignments: [Assignment], warnings: [String]? = nil) {
        self.dealID = dealID
        self.assignments = assignments
        self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey {
        case dealID = "deal_id", assignments, warnings
    }

    /// The warning for a stage key no journey has: the deal is stored (its events must be accepted later) but
    /// joins nothing, which is most often a typo in the CRM's stage key.
    public static func unknownStageWarning(_ stage: String) -> String {
        "no journey has a stage \"\(stage)\": the deal is stored, in no hypothesis; check the stage key against the journey (journeylab journey show JOURNEY lists them)"
    }

    /// One (deal, hypothesis) → arm.
    public struct Assignment: Sendable, Codable, Equatable {
        public var hypothesisKey: String
        public var arm: String
        /// True when the dealer should apply the change (the arm is not the control).
        public var apply: Bool

        public init(hypothesisKey: String, arm: String, apply: Bool) {
            self.hypothesisKey = hypothesisKey
            self.arm = arm
            self.apply = apply
        }

        enum CodingKeys: String, CodingKey {
            case hypothesisKey = "hypothesis_id", arm, apply
        }
    }
}
