import Foundation
import JourneyLab
import Postgres
import Reports

/// The report endpoints' default provider: the same evaluator and renderers as `journeylab report`.
public struct EvaluatorReportProvider: ReportProvider {
    let evaluator: Evaluator

    public init(pool: PGPool) { evaluator = Evaluator(pool: pool) }

    public func json(for id: String) async throws -> Data {
        Data(try ReportRenderer.json([try await report(id)]).utf8)
    }

    public func html(for id: String) async throws -> String {
        try ReportRenderer.render([try await report(id)], format: .html)
    }

    /// The evaluator's not-found names the CLI command; an HTTP client is pointed at the API's list instead.
    private func report(_ id: String) async throws -> HypothesisReport {
        do {
            return try await evaluator.report(for: id)
        } catch let error as JourneyLabError where error.kind == .notFound {
            throw JourneyLabError.notFound("no hypothesis \"\(id)\": GET /v1/hypotheses lists them")
        }
    }
}
