import Foundation
import Postgres

/// A hypothesis's assignment list, regenerated from its frozen plan and checked against what is stored:
/// what `journeylab hypothesis randomization ID` prints so anyone can audit the randomization.
///
/// Block method: every stratum's sequence (`BlockSequence`) through the end of its open block, each slot
/// marked with the deal that used it. Hash method: every enrolled deal with the arm the hash gives.
/// `matches` is false wherever the stored arm differs from the regenerated one (it never should).
public struct RandomizationListing: Sendable, Codable, Equatable {
    /// One slot of a stratum's sequence (block), or one enrolled deal (hash).
    public struct Entry: Sendable, Codable, Equatable {
        public var stratum: String
        /// Position in the stratum's sequence (block method only).
        public var slot: Int?
        /// Block number within the stratum, from 0 (block method only).
        public var block: Int?
        public var blockSize: Int?
        /// The arm the algorithm gives this slot (or deal).
        public var arm: String
        /// The deal that used the slot; nil for a slot not used yet.
        public var dealID: String?
        public var assignedAt: Date?
        /// The arm stored for the deal, when it differs from `arm` (an audit failure).
        public var storedArm: String?
        public var matches: Bool { storedArm == nil }

        enum CodingKeys: String, CodingKey {
            case stratum, slot, block, blockSize = "block_size", arm, dealID = "deal_id", assignedAt = "assigned_at"
            case storedArm = "stored_arm", matches
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(stratum, forKey: .stratum)
            try container.encode(slot, forKey: .slot)
            try container.encode(block, forKey: .block)
            try container.encode(blockSize, forKey: .blockSize)
            try container.encode(arm, forKey: .arm)
            try container.encode(dealID, forKey: .dealID)
            try container.encode(assignedAt, forKey: .assignedAt)
            try container.encodeIfPresent(storedArm, forKey: .storedArm)
            try container.encode(matches, forKey: .matches)
        }

        public init(
            stratum: String, slot: Int?, block: Int?, blockSize: Int?, arm: String, dealID: String?, assignedAt: Date?,
            storedArm: String?
        ) {
            self.stratum = stratum
            self.slot = slot
            self.block = block
            self.blockSize = blockSize
            self.arm = arm
            self.dealID = dealID
            self.assignedAt = assignedAt
            self.storedArm = storedArm
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            stratum = try container.decode(String.self, forKey: .stratum)
            slot = try container.decodeIfPresent(Int.self, forKey: .slot)
            block = try container.decodeIfPresent(Int.self, forKey: .block)
            blockSize = try container.decodeIfPresent(Int.self, forKey: .blockSize)
            arm = try container.decode(String.self, forKey: .arm)
            dealID = try container.decodeIfPresent(String.self, forKey: .dealID)
            assignedAt = try container.decodeIfPresent(Date.self, forKey: .assignedAt)
            storedArm = try container.decodeIfPresent(String.self, forKey: .storedArm)
        }
    }

    public var hypothesisKey: String
    public var randomization: Hypothesis.Randomization
    public var stratify: Hypothesis.Stratification
    public var seed: Int64
    public var arms: [Hypothesis.Arm]
    /// The algorithm's name and version, so a reader knows how to regenerate the list.
    public var algorithm: String
    public var entries: [Entry]

    enum CodingKeys: String, CodingKey {
        case hypothesisKey = "hypothesis_id", randomization, stratify, seed, arms, algorithm, entries
    }

    /// Entries whose stored arm differs from the regenerated one.
    public var mismatches: [Entry] { entries.filter { !$0.matches } }

    /// Regenerates the list of one hypothesis.
    /// - Throws: `JourneyLabError.notFound` for an unknown key; `PGError` when the database fails.
    public static func load(_ key: String, _ connection: PGConnection) throws -> RandomizationListing {
        let hypothesis = try HypothesisStore.require(key, connection)
        let plan = hypothesis.plan
        let stored = try connection.query(
            """
            SELECT deal_id::text, arm::text, stratum, slot, assigned_at FROM assignments
             WHERE hypothesis_key = $1 ORDER BY stratum, slot, deal_id
            """, [key]
        ).rows {
            (dealID: try $0.decode(String.self, 0), arm: try $0.decode(String.self, 1), stratum: try $0.decode(String.self, 2),
             slot: try $0.decodeIfPresent(Int.self, 3), at: try $0.decode(Date.self, 4))
        }
        var entries: [Entry] = []
        switch plan.randomization {
        case .hash:
            for row in stored {
                let index = HashAssignment.armIndex(dealID: row.dealID, hypothesisKey: key, seed: plan.seed, weights: plan.arms.map(\.weight))
                let arm = plan.arms[index].name
                entries.append(Entry(
                    stratum: row.stratum, slot: nil, block: nil, blockSize: nil, arm: arm, dealID: row.dealID,
                    assignedAt: row.at, storedArm: row.arm == arm ? nil : row.arm))
            }
        case .block:
            var cursors: [String: Int] = [:]
            _ = try connection.query(
                "SELECT stratum, next_slot FROM randomization_cursors WHERE hypothesis_key = $1", [key]
            ).rows { cursors[try $0.decode(String.self, 0)] = try $0.decode(Int.self, 1) }
            var byStratum: [String: [Int: (dealID: String, arm: String, at: Date)]] = [:]
            for row in stored {
                if let slot = row.slot { byStratum[row.stratum, default: [:]][slot] = (row.dealID, row.arm, row.at) }
            }
            let strata = Set(cursors.keys).union(byStratum.keys).sorted()
            for stratum in strata {
                let used = max(cursors[stratum] ?? 0, (byStratum[stratum]?.keys.max() ?? -1) + 1)
                guard used > 0, !plan.arms.isEmpty else { continue }
                var sequence = BlockSequence(seed: plan.seed, stratum: stratum, weights: plan.arms.map(\.weight))
                sequence.generate(through: used - 1)  // through the end of the open block
                for (number, block) in sequence.blocks.enumerated() {
                    for (offset, armIndex) in block.arms.enumerated() {
                        let slot = block.start + offset
                        let arm = plan.arms[armIndex].name
                        let deal = byStratum[stratum]?[slot]
                        entries.append(Entry(
                            stratum: stratum, slot: slot, block: number, blockSize: block.arms.count, arm: arm,
                            dealID: deal?.dealID, assignedAt: deal?.at,
                            storedArm: deal.flatMap { $0.arm == arm ? nil : $0.arm }))
                    }
                }
            }
        }
        return RandomizationListing(
            hypothesisKey: key, randomization: plan.randomization, stratify: plan.stratify, seed: plan.seed, arms: plan.arms,
            algorithm: plan.randomization == .block
                ? "journeylab-block-v1: SplitMix64 from SHA-256(seed‖0x00‖stratum); blocks of m×sum(weights), m uniform in {1,2,3}; Fisher–Yates"
                : "journeylab-hash-v1: SHA-256(\"key:seed\"‖0x00‖deal_id), first 8 bytes × sum(weights) / 2^64",
            entries: entries)
    }
}
