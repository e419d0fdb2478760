/// The exact tests whose power can be computed by enumerating their rejection region.
public enum ExactTestKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Fisher's exact test, two-sided (conditional; conservative at small n).
    case fisher
    /// Boschloo's exact unconditional test, two-sided as 2·min(one-sided) (uniformly more powerful than Fisher).
    case boschloo
}
