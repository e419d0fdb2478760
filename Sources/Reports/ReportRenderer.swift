import Foundation
import JourneyLab
import Postgres

/// Renders significance reports in every format: the CLI and the HTTP API both come through here.
public enum ReportRenderer {
    /// - Parameters:
    ///   - colour: ANSI colour in text output (only on a terminal).
    ///   - listed: JSON as `{"reports": [...]}` even for one report — when the caller asked for a list (every
    ///     started hypothesis, a journey's), so the document's shape follows the request, not the data.
    public static func render(
        _ reports: [HypothesisReport], format: ReportFormat, colour: Bool = false, listed: Bool = false
    ) throws -> String {
        switch format {
        case .json: return try json(reports, listed: listed)
        case .text: return reports.map { TextReportRenderer(colour: colour).render($0) }.joined(separator: "\n")
        case .markdown: return reports.map(MarkdownReportRenderer.render).joined(separator: "\n---\n\n")
        case .csv: return CSVReportRenderer.render(reports)
        case .html: return HTMLReportRenderer.render(reports)
        }
    }

    /// The encoder of every report document (the report, the list, the journey overview): stable key order,
    /// RFC 3339 dates.
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = RFC3339.encoding
        return encoder
    }

    /// One JSON document: the report itself for one hypothesis, `{"reports": [...]}` for several or when `listed`.
    public static func json(_ reports: [HypothesisReport], listed: Bool = false) throws -> String {
        let encoder = jsonEncoder()
        let data: Data
        if reports.count == 1, !listed {
            data = try encoder.encode(reports[0])
        } else {
            struct Many: Encodable { var reports: [HypothesisReport] }
            data = try encoder.encode(Many(reports: reports))
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
