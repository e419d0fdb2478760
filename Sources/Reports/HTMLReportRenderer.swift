import Foundation
import JourneyLab
import Stats

/// One self-contained HTML file (inline CSS and SVG; no scripts, no external URL; works offline).
enum HTMLReportRenderer {
    static func render(_ reports: [HypothesisReport]) -> String {
        let title = reports.count == 1 ? reports[0].hypothesis.title : "JourneyLab significance report"
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Formatting.html(title))</title>
            <style>\(style)</style></head><body>
            <header><h1>JourneyLab significance report</h1>
            <p class="meta">\(reports.count) hypothes\(reports.count == 1 ? "is" : "es") · generated \(Formatting.date(reports.first?.generatedAt ?? Date()))</p></header>
            """
        if reports.count > 1 {
            html += "<nav><h2>Contents</h2><ol>"
            for report in reports {
                html += "<li><a href=\"#\(Formatting.html(report.hypothesis.id))\">\(Formatting.html(report.hypothesis.title))</a> — <span class=\"tag \(report.analysis.decision.rawValue)\">\(DecisionLabel.text(report))</span></li>"
            }
            html += "</ol></nav>"
        }
        for report in reports { html += section(report) }
        html += glossary + "</body></html>\n"
        return html
    }

    static func section(_ report: HypothesisReport) -> String {
        let h = report.hypothesis, p = report.plan, a = report.analysis
        let level = Int(((1 - p.alpha) * 100).rounded())
        var html = "<section class=\"hypothesis\" id=\"\(Formatting.html(h.id))\">"
        html += "<h2>\(Formatting.html(h.title))</h2>"
        html += "<div class=\"banner \(a.decision.rawValue)\" data-section=\"decision\"><strong>\(bannerTitle(a.decision, status: Hypothesis.Status(rawValue: report.hypothesis.status)))</strong><ul>"
        for reason in a.reasons { html += "<li>\(Formatting.htmlProse(reason))</li>" }
        html += "</ul></div>"

        html += "<div class=\"trace\" data-section=\"context\"><h3>What it tests</h3><ol class=\"path\">"
        html += "<li><span>journey</span>\(Formatting.html(h.journeyName))</li>"
        html += "<li><span>stage</span>\(Formatting.html(h.stageName))</li>"
        if let barrier = h.barrierText { html += "<li><span>barrier</span>\(Formatting.html(barrier))</li>" }
        if let recommendation = h.recommendationText {
            html += "<li><span>recommendation</span>\(Formatting.html(recommendation))</li>"
        }
        html += "</ol></div>"

        html += "<div data-section=\"plan\"><h3>\(p.hash == nil ? "Plan (not frozen until the test starts)" : "Frozen plan")</h3><table class=\"plan\">"
        let planRows: [(String, String)] = [
            ("hypothesis", h.id), ("status", h.status + (h.outcome.map { " (\($0))" } ?? "")), ("metric", p.metric),
            ("arms", zip(p.arms, p.weights).map { "\($0) ×\($1)" }.joined(separator: ", ") + " — control: \(p.control)"),
            ("target", "\(p.targetDeals) resolved deals, \(p.minDays)–\(p.maxDays) days"),
            ("alpha / power", "\(p.alpha) / \(p.power)"), ("smallest lift worth acting on", p.mde.map { Formatting.points($0) } ?? "not set"),
            ("randomization", "\(p.randomization), stratified by \(p.stratify)\(p.looks > 1 ? ", \(p.looks) planned looks" : "")"),
            ("plan SHA-256", p.hash ?? "not frozen yet (draft)"),
            ("progress", "\(report.progress.resolved) of \(p.targetDeals) resolved, \(report.progress.enrolled) enrolled"),
        ]
        for (key, value) in planRows { html += "<tr><th>\(Formatting.html(key))</th><td>\(Formatting.html(value))</td></tr>" }
        html += "</table></div>"

        html += "<div data-section=\"arms\"><h3>Conversion per arm (\(level)% Wilson intervals)</h3>"
        html += SVGChart.rates(a.arms.map { ($0.name, $0.rate, $0.rateCI.lower, $0.rateCI.upper) })
        html += "<table><tr><th>arm</th><th>enrolled</th><th>resolved</th><th>conversions</th><th>rate</th><th>interval</th></tr>"
        for arm in a.arms {
            html += "<tr><td>\(Formatting.html(arm.name))</td><td>\(arm.enrolled)</td><td>\(arm.deals)</td><td>\(arm.conversions)</td><td>\(Formatting.percent(arm.rate))</td><td>\(Formatting.percentRange(arm.rateCI))</td></tr>"
        }
        html += "</table></div>"

        html += "<div data-section=\"lift\"><h3>Lift against the control (forest plot)</h3>"
        html += SVGChart.forest(a.comparisons.map { ("\($0.arm) vs \($0.baseline)", $0.diff, $0.diffCI.lower, $0.diffCI.upper) }, mde: p.mde)
        html += "<table><tr><th>comparison</th><th>difference</th><th>interval</th><th>relative lift</th><th>p (Boschloo)</th><th>p (Fisher)</th><th>p (z)</th><th>p (Holm)</th><th>P(beats control)</th><th>expected loss</th></tr>"
        for c in a.comparisons {
            html += "<tr><td>\(Formatting.html(c.arm)) vs \(Formatting.html(c.baseline))</td><td>\(Formatting.points(c.diff))</td><td>\(Formatting.pointsRange(c.diffCI))</td><td>\(Formatting.signedPercent(c.relativeLift))</td><td>\(NumberText.pValue(c.pValue))</td><td>\(NumberText.pValue(c.pFisher))</td><td>\(NumberText.pValue(c.pZTest))</td><td>\(NumberText.pValue(c.pAdjusted))</td><td>\(Formatting.percent(c.probBeatBaseline))</td><td>\(Formatting.points(c.expectedLoss, digits: 2))</td></tr>"
        }
        html += "</table><p class=\"note\">Sample-ratio check: \(NumberText.pEquals(a.srm.pValue))\(a.srm.flag ? " — <strong>mismatch</strong>" : ""). "
        let subject = AnalysisTextRenderer.powerSubject(a, plannedDeals: report.progress.plannedWhileCollecting)
        html += a.power.mde.isFinite
            ? "With \(subject) the test can detect a lift of \(Formatting.points(a.power.mde)) at \(Int(p.power * 100))% power"
            : "With \(subject) the test cannot reliably detect any lift"
        if let note = a.power.exactMDENote { html += " (\(Formatting.html(note)))" }
        html += a.power.dealsNeeded.map { "; the planned MDE needs about \($0) resolved deals." } ?? "."
        if let s = report.stratified {
            html += " Stratified by dealer (Cochran–Mantel–Haenszel): \(NumberText.pEquals(s.pValue)), common odds ratio \(s.commonOddsRatio.map { Formatting.number($0, digits: 2) } ?? "—")."
        }
        html += "</p></div>"

        html += "<div data-section=\"timeline\"><h3>Cumulative conversion over time</h3>"
        html += SVGChart.cumulative(
            p.arms.enumerated().map { index, arm in
                (arm, report.timeline.map { week in
                    let tally = week.arms[index]
                    return (week.week, tally.deals > 0 ? Double(tally.conversions) / Double(tally.deals) : .nan)
                })
            })
        html += "</div>"

        html += "<div data-section=\"dealers\"><h3>Enrollment per dealer and arm</h3>"
        if report.dealers.isEmpty {
            html += "<p class=\"empty\">No deal enrolled yet.</p>"
        } else {
            html += SVGChart.enrollment(
                dealers: report.dealers.map(\.dealer), arms: p.arms, counts: report.dealers.map { $0.arms.map(\.enrolled) })
        }
        html += "</div></section>"
        return html
    }

    static func bannerTitle(_ decision: AnalysisDecision, status: Hypothesis.Status?) -> String {
        switch decision {
        case .adopt: return "Adopt: roll the change out to everyone"
        case .reject: return "Reject: the change does not deliver the lift worth acting on"
        case .inconclusive: return "Inconclusive: the data cannot tell either way"
        case .continue:
            if let waiting = status?.notCollectingReason { return waiting.prefix(1).uppercased() + waiting.dropFirst() }
            return "Keep collecting: the planned deals have not closed"
        }
    }

    static let glossary = """
        <section class="glossary" data-section="glossary"><h2>Glossary</h2><dl>
        <dt>Resolved deal</dt><dd>A deal that closed, won or lost. Only resolved deals count toward the planned sample.</dd>
        <dt>Conversion</dt><dd>A resolved deal with the plan's metric event (for example an add-on purchase).</dd>
        <dt>Wilson interval</dt><dd>The range of conversion rates compatible with the data at the plan's confidence level; reliable at small counts.</dd>
        <dt>Difference and its interval</dt><dd>Treatment rate minus control rate in percentage points, with a Newcombe hybrid-score interval. If the interval excludes zero the effect is unlikely to be chance.</dd>
        <dt>Boschloo exact test</dt><dd>The primary p-value: an exact unconditional test for two proportions, more powerful than Fisher's and valid at 100–150 deals where normal approximations are not.</dd>
        <dt>Holm and Benjamini–Hochberg</dt><dd>Corrections for testing several arms (Holm, within a hypothesis) or several hypotheses (Benjamini–Hochberg, across a report).</dd>
        <dt>P(beats control)</dt><dd>The Bayesian probability, with uniform Beta(1,1) priors, that the arm's true rate exceeds the control's.</dd>
        <dt>Sample-ratio mismatch</dt><dd>A chi-square check that deals were split as planned; a mismatch points at a bug in the assignment, not at the change.</dd>
        <dt>MDE</dt><dd>Minimum detectable effect: the smallest lift the planned number of deals can find with the planned power.</dd>
        <dt>Cochran–Mantel–Haenszel</dt><dd>The same comparison made within each dealer and combined, so that a strong dealer cannot bias the result.</dd>
        </dl></section>
        """

    static let style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1a202c;line-height:1.45}
        h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:2px solid #e2e8f0;padding-bottom:.3rem}h3{margin-top:1.6rem}
        .meta,.note{color:#4a5568;font-size:.9rem}table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
        th,td{border:1px solid #e2e8f0;padding:.3rem .6rem;text-align:left}th{background:#f7fafc}
        .banner{border-radius:8px;padding:.8rem 1.1rem;margin:1rem 0;border-left:8px solid}
        .banner ul{margin:.4rem 0 0 1rem;padding:0}.adopt{background:#f0fff4;border-color:#2f855a}.reject{background:#fff5f5;border-color:#c53030}
        .inconclusive{background:#fffaf0;border-color:#c05621}.continue{background:#ebf8ff;border-color:#2b6cb0}
        code{font-size:.9em;background:rgba(0,0,0,.06);padding:0 .2rem;border-radius:3px}.tag{padding:0 .4rem;border-radius:4px;font-size:.8rem}.path{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem}
        .path li{background:#edf2f7;border-radius:6px;padding:.3rem .6rem}.path li span{display:block;font-size:.7rem;color:#718096;text-transform:uppercase}
        .label{font-size:12px;fill:#2d3748}.tick,.note,.value{font-size:11px;fill:#4a5568}svg{display:block;margin:.5rem 0}
        .glossary dt{font-weight:600;margin-top:.6rem}.glossary dd{margin-left:1rem;color:#2d3748}
        """
}
