/// The alternative hypothesis of a two-sample test, in scipy's words.
///
/// For two proportions, `.less` means the first sample's rate is below the second's and `.greater`
/// that it is above, as in `scipy.stats.fisher_exact` and `boschloo_exact` with the table
/// `[[x1, x2], [n1 − x1, n2 − x2]]`.
public enum TestAlternative: String, Sendable, Hashable, Codable, CaseIterable {
    /// The samples differ in either direction.
    case twoSided = "two-sided"
    /// The first sample is lower.
    case less
    /// The first sample is higher.
    case greater
}
