/// What the analysis recommends doing with a hypothesis.
public enum AnalysisDecision: String, Sendable, Hashable, Codable, CaseIterable {
    /// Roll the treatment out: it beats the baseline, significantly and by a positive margin.
    case adopt
    /// Drop it: it hurts, or cannot reach the lift worth acting on.
    case reject
    /// The planned deals are in but the data cannot tell (underpowered).
    case inconclusive
    /// The planned deals are not in yet: keep collecting.
    case `continue`
}
