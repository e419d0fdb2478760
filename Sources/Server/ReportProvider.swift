import Foundation

/// Renders a hypothesis's report for `GET /v1/hypotheses/{id}/report` (JSON) and `GET /reports/{id}` (HTML).
///
/// The report module supplies the implementation; without one the server answers 501.
public protocol ReportProvider: Sendable {
    /// The report JSON of DESIGN.md. Throws `JourneyLabError.notFound` for an unknown id.
    func json(for id: String) async throws -> Data
    /// A self-contained HTML page. Throws `JourneyLabError.notFound` for an unknown id.
    func html(for id: String) async throws -> String
}
