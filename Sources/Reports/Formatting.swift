import Foundation
import Stats
import Postgres

/// Number formatting for tables and chart axes (fixed, locale-independent). p-values use `Stats.NumberText`,
/// the same text the analysis narrative uses.
enum Formatting {
    /// "36.9%", "−50.3%": the minus sign the text report prints (U+2212), for the documents people read
    /// (CSV keeps plain numbers).
    static func percent(_ value: Double, digits: Int = 1) -> String {
        guard value.isFinite else { return "—" }
        return NumberText.fixed(value * 100, decimals: digits, trimmingZeros: false) + "%"
    }

    /// A change in percent with its sign, as the text report prints a relative lift: "+36.9%", "−50.3%".
    static func signedPercent(_ value: Double, digits: Int = 1) -> String {
        guard value.isFinite else { return "—" }
        return NumberText.fixed(value * 100, decimals: digits, signed: true, trimmingZeros: false) + "%"
    }

    /// Percentage points with a sign: "+12.3 pts", "−3.1 pts".
    static func points(_ value: Double, digits: Int = 1) -> String {
        guard value.isFinite else { return "—" }
        return NumberText.fixed(value * 100, decimals: digits, signed: true, trimmingZeros: false) + " pts"
    }

    /// "−3.1 pts to +12.4 pts"; a single "—" when the interval is undefined (an arm without deals).
    static func pointsRange(_ interval: Interval) -> String {
        guard interval.lower.isFinite, interval.upper.isFinite else { return "—" }
        return points(interval.lower) + " to " + points(interval.upper)
    }

    /// "8.9% – 53.2%"; a single "—" when the interval is undefined (an arm without deals).
    static func percentRange(_ interval: Interval) -> String {
        guard interval.lower.isFinite, interval.upper.isFinite else { return "—" }
        return percent(interval.lower) + " – " + percent(interval.upper)
    }

    /// `line` without the spaces that padding left at its end.
    static func trimmingTrailingSpaces(_ line: String) -> String {
        var line = line
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }

    static func number(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return "" }
        return String(format: "%.\(digits)f", value)
    }

    static func date(_ date: Date) -> String {
        RFC3339.day(date)
    }

    /// A sentence for HTML: escaped, with `quoted commands` as <code> (as Markdown shows them); an odd
    /// backtick is left as it is.
    static func htmlProse(_ text: String) -> String {
        let parts = html(text).split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count > 1, parts.count % 2 == 1 else { return html(text) }
        return parts.enumerated().map { $0.offset % 2 == 1 ? "<code>\($0.element)</code>" : String($0.element) }.joined()
    }

    static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// RFC 4180 field: quoted when it holds a comma, quote or line break.
    static func csv(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
