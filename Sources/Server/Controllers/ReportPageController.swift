import Foundation
import Hummingbird

/// `GET /reports/{id}`: the HTML report.
struct ReportPageController {
    let reports: (any ReportProvider)?

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("{id}", use: page)
        return routes
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        try HypothesisController.requireReader(context)
        let id = try context.hypothesisID()
        guard let reports else { throw Problem(.notImplemented, "reports are not available in this build") }
        let html = try await reports.html(for: id)
        return JSONResponse.raw(Data(html.utf8), contentType: "text/html; charset=utf-8")
    }
}
