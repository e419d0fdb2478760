import Hummingbird
import Logging

/// Turns every thrown error into `application/problem+json`; unexpected errors become a 500 whose detail
/// stays in the log (with the request id), never in the response.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (problem, unexpected) = Problem.from(error)
            if unexpected {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            } else if problem.status == .serviceUnavailable {
                context.logger.warning("service unavailable", metadata: ["detail": "\(problem.detail)", "error": "\(error)"])
            }
            return problem.response(requestID: context.id)
        }
    }
}
