import Foundation
import JourneyLab
import Postgres
import Reports

/// The report endpoints' default provider: the same evaluator and renderers as `journeylab report`.
public struct EvaluatorReportProvider: ReportProvider {
    let evaluator: Evaluator

    public init(pool: PGPool) { evaluator = Evaluator(pool: pool) }

    public func json(for id: String) async throws -> Data {
        Data(try ReportRenderer.json([try await evaluator.report(for: id)]).utf8)
    }

    public func html(for id: String) async throws -> String {
        try ReportRenderer.render([try await evaluator.report(for: id)], format: .html)
    }
}
