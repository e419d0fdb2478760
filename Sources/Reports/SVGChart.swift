import Foundation

/// Small inline-SVG charts for the HTML report (no scripts, no external resources).
enum SVGChart {
    static let palette = ["#4a5568", "#2b6cb0", "#c05621", "#2f855a", "#6b46c1"]

    static func colour(_ index: Int) -> String { palette[index % palette.count] }

    /// Horizontal bars of rates with their intervals, one row per arm.
    static func rates(_ rows: [(label: String, rate: Double, lower: Double, upper: Double)]) -> String {
        let width = 640.0, rowHeight = 34.0, left = 130.0, right = 40.0
        let height = Double(rows.count) * rowHeight + 30
        let top = max(0.05, (rows.map(\.upper).filter(\.isFinite).max() ?? 0.5) * 1.1)
        func x(_ value: Double) -> Double { left + (width - left - right) * min(max(value, 0), top) / top }
        var svg = open(width, height, label: "conversion rate per arm with intervals")
        svg += axis(x: x, top: top, y: height - 22, ticks: 5, format: { Formatting.percent($0, digits: 0) })
        for (index, row) in rows.enumerated() {
            let y = 10 + Double(index) * rowHeight
            svg += "<text x=\"\(left - 8)\" y=\"\(y + 15)\" text-anchor=\"end\" class=\"label\">\(Formatting.html(row.label))</text>"
            if row.rate.isFinite {
                svg += "<rect class=\"bar\" x=\"\(left)\" y=\"\(y + 4)\" width=\"\(x(row.rate) - left)\" height=\"16\" fill=\"\(colour(index))\" opacity=\"0.35\"/>"
            }
            if row.lower.isFinite, row.upper.isFinite {
                svg += "<line class=\"interval\" x1=\"\(x(row.lower))\" x2=\"\(x(row.upper))\" y1=\"\(y + 12)\" y2=\"\(y + 12)\" stroke=\"\(colour(index))\" stroke-width=\"3\"/>"
                svg += "<circle cx=\"\(x(row.rate))\" cy=\"\(y + 12)\" r=\"5\" fill=\"\(colour(index))\"/>"
            }
            svg += "<text x=\"\(x(row.upper.isFinite ? row.upper : row.rate) + 6)\" y=\"\(y + 16)\" class=\"value\">\(Formatting.percent(row.rate))</text>"
        }
        return svg + "</svg>"
    }

    /// Forest plot of differences with intervals against zero and the planned MDE.
    static func forest(_ rows: [(label: String, diff: Double, lower: Double, upper: Double)], mde: Double?) -> String {
        let width = 640.0, rowHeight = 34.0, left = 150.0, right = 30.0
        let height = Double(rows.count) * rowHeight + 40
        let values = rows.flatMap { [$0.lower, $0.upper, $0.diff] }.filter(\.isFinite) + [0, mde ?? 0]
        let span = max(0.05, values.map(abs).max() ?? 0.1) * 1.15
        func x(_ value: Double) -> Double { left + (width - left - right) * (value + span) / (2 * span) }
        var svg = open(width, height, label: "difference from control with intervals (forest plot)")
        svg += "<line class=\"zero\" x1=\"\(x(0))\" x2=\"\(x(0))\" y1=\"4\" y2=\"\(height - 24)\" stroke=\"#1a202c\" stroke-dasharray=\"4 3\"/>"
        if let mde {
            svg += "<line class=\"mde\" x1=\"\(x(mde))\" x2=\"\(x(mde))\" y1=\"4\" y2=\"\(height - 24)\" stroke=\"#2f855a\" stroke-dasharray=\"2 2\"/>"
            svg += "<text x=\"\(x(mde) + 4)\" y=\"14\" class=\"note\">MDE \(Formatting.points(mde, digits: 0))</text>"
        }
        svg += axis(x: x, from: -span, top: span, y: height - 22, ticks: 4, format: { Formatting.points($0, digits: 0) })
        for (index, row) in rows.enumerated() {
            let y = 18 + Double(index) * rowHeight
            svg += "<text x=\"\(left - 8)\" y=\"\(y + 15)\" text-anchor=\"end\" class=\"label\">\(Formatting.html(row.label))</text>"
            if row.lower.isFinite, row.upper.isFinite {
                svg += "<line class=\"interval\" x1=\"\(x(row.lower))\" x2=\"\(x(row.upper))\" y1=\"\(y + 11)\" y2=\"\(y + 11)\" stroke=\"#2b6cb0\" stroke-width=\"3\"/>"
            }
            if row.diff.isFinite {
                svg += "<rect x=\"\(x(row.diff) - 5)\" y=\"\(y + 6)\" width=\"10\" height=\"10\" fill=\"#2b6cb0\"/>"
            }
        }
        return svg + "</svg>"
    }

    /// Cumulative conversion rate per arm over time.
    static func cumulative(_ series: [(label: String, points: [(Date, Double)])]) -> String {
        let width = 640.0, height = 240.0, left = 50.0, right = 110.0, top = 12.0, bottom = 30.0
        let dates = series.flatMap { $0.points.map(\.0) }
        guard let first = dates.min(), let last = dates.max() else {
            return "<p class=\"empty\">No deal has closed yet.</p>"
        }
        let span = max(last.timeIntervalSince(first), 1)
        let maxRate = max(0.05, (series.flatMap { $0.points.map(\.1) }.filter(\.isFinite).max() ?? 0.1) * 1.15)
        func x(_ date: Date) -> Double { left + (width - left - right) * date.timeIntervalSince(first) / span }
        func y(_ rate: Double) -> Double { top + (height - top - bottom) * (1 - rate / maxRate) }
        var svg = open(width, height, label: "cumulative conversion per arm by week")
        for tick in 0...4 {
            let rate = maxRate * Double(tick) / 4
            svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(y(rate))\" y2=\"\(y(rate))\" stroke=\"#e2e8f0\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(rate) + 4)\" text-anchor=\"end\" class=\"tick\">\(Formatting.percent(rate, digits: 0))</text>"
        }
        svg += "<text x=\"\(left)\" y=\"\(height - 8)\" class=\"tick\">\(Formatting.date(first))</text>"
        svg += "<text x=\"\(width - right)\" y=\"\(height - 8)\" text-anchor=\"end\" class=\"tick\">\(Formatting.date(last))</text>"
        for (index, line) in series.enumerated() {
            let points = line.points.filter { $0.1.isFinite }
            guard !points.isEmpty else { continue }
            let path = points.map { "\(x($0.0)),\(y($0.1))" }.joined(separator: " ")
            svg += "<polyline class=\"series\" points=\"\(path)\" fill=\"none\" stroke=\"\(colour(index))\" stroke-width=\"2.5\"/>"
            if let end = points.last {
                svg += "<text x=\"\(x(end.0) + 6)\" y=\"\(y(end.1) + 4)\" class=\"label\" fill=\"\(colour(index))\">\(Formatting.html(line.label)) \(Formatting.percent(end.1))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Grouped bars: enrolled deals per dealer per arm.
    static func enrollment(dealers: [String], arms: [String], counts: [[Int]]) -> String {
        let width = 640.0, rowHeight = 14.0 * Double(max(arms.count, 1)) + 10, left = 110.0, right = 40.0
        let height = Double(dealers.count) * rowHeight + 34
        let maxCount = max(1, counts.flatMap { $0 }.max() ?? 1)
        func x(_ count: Int) -> Double { left + (width - left - right) * Double(count) / Double(maxCount) }
        var svg = open(width, height, label: "enrolled deals per dealer per arm")
        for (row, dealer) in dealers.enumerated() {
            let y = 6 + Double(row) * rowHeight
            svg += "<text x=\"\(left - 8)\" y=\"\(y + rowHeight / 2 + 2)\" text-anchor=\"end\" class=\"label\">\(Formatting.html(dealer))</text>"
            for (index, count) in counts[row].enumerated() {
                let barY = y + Double(index) * 14
                svg += "<rect class=\"bar\" x=\"\(left)\" y=\"\(barY)\" width=\"\(x(count) - left)\" height=\"11\" fill=\"\(colour(index))\"/>"
                svg += "<text x=\"\(x(count) + 4)\" y=\"\(barY + 10)\" class=\"tick\">\(count)</text>"
            }
        }
        var legendX = left
        for (index, arm) in arms.enumerated() {
            svg += "<rect x=\"\(legendX)\" y=\"\(height - 18)\" width=\"10\" height=\"10\" fill=\"\(colour(index))\"/>"
            svg += "<text x=\"\(legendX + 14)\" y=\"\(height - 9)\" class=\"tick\">\(Formatting.html(arm))</text>"
            legendX += 24 + Double(arm.count) * 7
        }
        return svg + "</svg>"
    }

    private static func open(_ width: Double, _ height: Double, label: String) -> String {
        "<svg role=\"img\" aria-label=\"\(label)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" style=\"max-width:\(Int(width))px\">"
    }

    private static func axis(
        x: (Double) -> Double, from: Double = 0, top: Double, y: Double, ticks: Int, format: (Double) -> String
    ) -> String {
        var svg = "<line x1=\"\(x(from))\" x2=\"\(x(top))\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#a0aec0\"/>"
        for tick in 0...ticks {
            let value = from + (top - from) * Double(tick) / Double(ticks)
            svg += "<text x=\"\(x(value))\" y=\"\(y + 14)\" text-anchor=\"middle\" class=\"tick\">\(format(value))</text>"
        }
        return svg
    }
}
