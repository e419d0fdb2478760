import Crypto
import Foundation

extension Hypothesis {
    /// The analysis plan: frozen, with its SHA-256, when the hypothesis starts.
    public struct Plan: Sendable, Codable, Equatable {
        /// The event type that counts as a conversion (`addon_purchased`, `closed_won`, …).
        public var metric: String
        /// In order; exactly one is the control.
        public var arms: [Arm]
        /// Resolved (closed) deals after which the hypothesis is evaluated.
        public var targetDeals: Int
        public var alpha: Double
        public var power: Double
        /// The expected conversion rate of the control, for power and MDE.
        public var baselineRate: Double?
        /// The smallest absolute lift worth acting on (0.15 = 15 percentage points).
        public var mde: Double?
        public var minDays: Int
        public var maxDays: Int
        public var randomization: Randomization
        public var stratify: Stratification
        /// Planned analyses (1 = only at the end; 2–5 = group-sequential looks).
        public var looks: Int
        /// Seeds the block sequences (and salts the hash method): the assignment list can be regenerated.
        public var seed: Int64
        /// Enroll only deals of this segment; nil enrolls every deal of the stage.
        public var segmentFilter: String?
        /// Hypotheses sharing a group never share a deal.
        public var exclusionGroup: String?

        public init(
            metric: String, arms: [Arm], targetDeals: Int = 150, alpha: Double = 0.05, power: Double = 0.8,
            baselineRate: Double? = nil, mde: Double? = nil, minDays: Int = 120, maxDays: Int = 180,
            randomization: Randomization = .block, stratify: Stratification = .dealer, looks: Int = 1, seed: Int64,
            segmentFilter: String? = nil, exclusionGroup: String? = nil
        ) {
            self.metric = metric
            self.arms = arms
            self.targetDeals = targetDeals
            self.alpha = alpha
            self.power = power
            self.baselineRate = baselineRate
            self.mde = mde
            self.minDays = minDays
            self.maxDays = maxDays
            self.randomization = randomization
            self.stratify = stratify
            self.looks = looks
            self.seed = seed
            self.segmentFilter = segmentFilter
            self.exclusionGroup = exclusionGroup
        }

        /// The control arm (the plan is validated to have exactly one).
        public var control: Arm? { arms.first { $0.isControl } }

        /// Canonical JSON (sorted keys): the text whose SHA-256 is the plan hash.
        public var canonicalJSON: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            // Plans hold only strings, integers, booleans and finite doubles: encoding cannot fail.
            return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
        }

        /// SHA-256 of `canonicalJSON`, lowercase hex.
        public var sha256: String {
            SHA256.hash(data: Data(canonicalJSON.utf8)).map { String(format: "%02x", $0) }.joined()
        }
    }

    /// One arm of a hypothesis.
    public struct Arm: Sendable, Codable, Equatable {
        public var name: String
        public var weight: Int
        public var isControl: Bool
        public init(name: String, weight: Int, isControl: Bool) {
            self.name = name
            self.weight = weight
            self.isControl = isControl
        }
    }

    /// How deals are assigned to arms.
    public enum Randomization: String, Sendable, Codable, CaseIterable {
        /// Stratified permuted blocks from the plan's seed: balanced and auditable.
        case block
        /// SHA-256 of (salt, deal id) onto the weights: stateless, for high volume.
        case hash
    }

    /// What a block sequence is stratified by.
    public enum Stratification: String, Sendable, Codable, CaseIterable {
        case dealer, segment, none
    }
}
