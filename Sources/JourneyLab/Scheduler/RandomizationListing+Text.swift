/// The listing as `journeylab hypothesis randomization ID` prints it for a person.
extension RandomizationListing {
    /// A header (plan, arms, algorithm), then per stratum one line per entry: block lists every slot through
    /// the open block (`slot 3 (block 0, size 4): treatment ← D-17`, or `(free)`); hash lists each enrolled
    /// deal (`D-17 → treatment`). A stored arm that differs from the regenerated one is marked MISMATCH.
    public func textLines() -> [String] {
        var lines = [
            "Hypothesis \(hypothesisKey): \(randomization.rawValue) randomization, stratified by \(stratify.rawValue), seed \(seed)",
            "Arms: " + arms.map { "\($0.name)×\($0.weight)" }.joined(separator: ", "),
            "Algorithm: \(algorithm)",
        ]
        var currentStratum: String?
        for entry in entries {
            if entry.stratum != currentStratum {
                currentStratum = entry.stratum
                lines += ["", "stratum \(entry.stratum)"]
            }
            let mismatch = entry.storedArm.map { "  MISMATCH: stored \($0)" } ?? ""
            if let slot = entry.slot {
                let block = entry.block.map { " (block \($0), size \(entry.blockSize ?? 0))" } ?? ""
                let deal = entry.dealID.map { " ← \($0)" } ?? "   (free)"
                lines.append("  slot \(slot)\(block): \(entry.arm)\(deal)\(mismatch)")
            } else {
                lines.append("  \(entry.dealID ?? "?") → \(entry.arm)\(mismatch)")
            }
        }
        if entries.isEmpty { lines.append("No deal enrolled yet.") }
        return lines
    }
}
