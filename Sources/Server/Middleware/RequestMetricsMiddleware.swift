import Foundation
import Hummingbird
import Logging

/// Outermost middleware: times every request, counts it by route and status, tags the response with the
/// request id and writes one access-log line (never headers, so keys are never logged).
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let metrics: ServerMetrics
    /// Names the route of a 405 (the router only knows it as not found).
    var routes: RouteMethods? = nil

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // ProblemMiddleware converts everything; this is the last line of defence.
            context.logger.error("unhandled error", metadata: ["error": "\(type(of: error))"])
            response = Problem(.internalServerError, "internal error").response(requestID: context.id)
        }
        response.headers[.init("X-Request-Id")!] = context.id
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var route = context.endpointPath ?? "unmatched"
        if response.status == .methodNotAllowed, let template = routes?.template(for: request.uri.path) { route = template }
        metrics.recordRequest(method: request.method.rawValue, route: route, status: response.status.code, seconds: seconds)
        context.logger.debug(
            "request", metadata: ["method": "\(request.method)", "route": "\(route)", "status": "\(response.status.code)",
                                  "ms": "\(Int(seconds * 1000))"])
        return response
    }
}
