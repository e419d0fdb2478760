/// Comparisons of computed numbers with golden ones.
enum Tolerance {
    /// Whether `actual` matches `expected` within `relative` (of |expected|) or `absolute`, whichever is larger.
    /// A nil (null in the fixture) expected value matches only a non-finite actual value.
    static func close(_ actual: Double, _ expected: Double?, relative: Double, absolute: Double = 0) -> Bool {
        guard let expected else { return !actual.isFinite }
        if actual == expected { return true }
        guard actual.isFinite else { return false }
        return abs(actual - expected) <= max(relative * abs(expected), absolute)
    }

    /// The relative difference |actual − expected| / |expected| (absolute when expected is 0).
    static func relativeError(_ actual: Double, _ expected: Double) -> Double {
        expected == 0 ? abs(actual) : abs(actual - expected) / abs(expected)
    }
}
