/// The formats a significance report can be rendered in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, markdown, json, csv, html
}
