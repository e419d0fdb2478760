/// Numbers written for people (no Foundation): percentage points, percentages and p-values.
public enum NumberText {
    /// `value` rounded to `decimals` places, with a leading "−" (U+2212) for negatives and, when `signed`,
    /// "+" for positives; a trailing ".0…0" is dropped.
    /// - Parameters:
    ///   - value: the number.
    ///   - decimals: digits after the point.
    ///   - signed: write "+" before positive numbers.
    ///   - trimmingZeros: drop trailing zeros after the point (and the point itself).
    /// - Returns: the text ("n/a" when not finite).
    public static func fixed(_ value: Double, decimals: Int = 1, signed: Bool = false, trimmingZeros: Bool = true)
        -> String
    {
        guard value.isFinite else { return value.isNaN ? "n/a" : (value > 0 ? "∞" : "−∞") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let units = Int(scaled / scale)
        let fraction = Int(scaled - Double(units) * scale)
        var text = String(units)
        if decimals > 0 && (fraction != 0 || !trimmingZeros) {
            var digits = String(fraction)
            while digits.count < decimals { digits = "0" + digits }
            if trimmingZeros { while digits.hasSuffix("0") { digits.removeLast() } }
            text += "." + digits
        }
        if scaled == 0 && trimmingZeros { return "0" }
        if value < 0 { return "−" + text }
        return signed ? "+" + text : text
    }

    /// A proportion difference in percentage points, signed: 0.169 → "+16.9".
    /// - Parameter difference: the difference as a proportion.
    /// - Returns: the signed number of points.
    public static func points(_ difference: Double) -> String { fixed(difference * 100, decimals: 1, signed: true) }

    /// An unsigned size in percentage points: 0.15 → "15".
    /// - Parameter size: the size as a proportion.
    /// - Returns: the number of points.
    public static func pointSize(_ size: Double) -> String { fixed(size * 100, decimals: 1) }

    /// A proportion as a percentage: 0.369 → "36.9%".
    /// - Parameter proportion: the proportion.
    /// - Returns: the percentage.
    public static func percent(_ proportion: Double) -> String {
        proportion.isFinite ? fixed(proportion * 100, decimals: 1) + "%" : "n/a"
    }

    /// "p = 0.034", or "p < 0.001".
    /// - Parameter p: the p-value.
    /// - Returns: the text.
    public static func pEquals(_ p: Double) -> String {
        let text = pValue(p)
        return text.hasPrefix("<") ? "p " + text : "p = " + text
    }

    /// A p-value: three decimals ("0.040"), "< 0.001", or "1".
    /// - Parameter p: the p-value.
    /// - Returns: the text.
    public static func pValue(_ p: Double) -> String {
        guard p.isFinite else { return "n/a" }
        if p < 0.001 { return "< 0.001" }
        if p >= 0.9995 { return "1" }
        return fixed(p, decimals: 3, trimmingZeros: false)
    }
}
