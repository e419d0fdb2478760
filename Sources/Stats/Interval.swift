/// A two-sided interval [lower, upper].
///
/// Encodes as the JSON array `[lower, upper]`; a bound that is not finite (an unbounded ratio, or an
/// interval that cannot be computed from no data) encodes as `null` and decodes back as NaN.
public struct Interval: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The lower bound.
    public var lower: Double
    /// The upper bound.
    public var upper: Double

    /// An interval from its two bounds.
    /// - Parameters:
    ///   - lower: the lower bound.
    ///   - upper: the upper bound.
    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// An interval that could not be computed: both bounds NaN.
    public static let undefined = Interval(lower: .nan, upper: .nan)

    /// Whether `value` lies in the closed interval, allowing `tolerance` at either end.
    /// - Parameters:
    ///   - value: the value to test.
    ///   - tolerance: slack allowed at each end (for rounding).
    /// - Returns: `lower − tolerance ≤ value ≤ upper + tolerance`.
    public func contains(_ value: Double, tolerance: Double = 0) -> Bool {
        lower - tolerance <= value && value <= upper + tolerance
    }

    public var description: String { "[\(lower), \(upper)]" }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        lower = try container.decodeNil() ? .nan : container.decode(Double.self)
        upper = try container.decodeNil() ? .nan : container.decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for bound in [lower, upper] {
            if bound.isFinite { try container.encode(bound) } else { try container.encodeNil() }
        }
    }
}
