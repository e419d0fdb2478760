import Hummingbird
import Synchronization

/// Turns the router's 404 for a path that exists, asked with a method it does not answer (`DELETE /v1/events`),
/// into 405 with an `Allow` header listing the methods it does answer (RFC 9110 §15.5.6).
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && (context.endpointPath ?? "NotFound") == "NotFound" {
            // The router's own 404 (its not-found responder names the endpoint "NotFound"), not a handler's.
            let allowed = routes.allowed(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            var problem = Problem(
                .methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path): use \(allowed.joined(separator: " or "))")
            problem.headers[.allow] = allowed.joined(separator: ", ")
            throw problem
        }
    }
}

/// The methods of every route, filled in once the routes are added (`buildRouter`).
final class RouteMethods: Sendable {
    private let table = Mutex<[(template: [String], method: String)]>([])

    func set(_ routes: [Router<AppRequestContext>.RouteDescription]) {
        table.withLock { table in
            table = routes.map { ($0.path.components.map(\.description), $0.method.rawValue) }
        }
    }

    /// The routes whose template matches a path.
    private func matching(_ path: String) -> [(template: [String], method: String)] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return table.withLock { table in
            table.filter { route in
                route.template.count == parts.count
                    && zip(route.template, parts).allSatisfy { template, part in
                        (template.hasPrefix("{") && template.hasSuffix("}")) || template == part
                    }
            }
        }
    }

    /// The route template of a path (`/v1/hypotheses/{id}`), for labels; nil when no route has this path.
    func template(for path: String) -> String? {
        matching(path).first.map { "/" + $0.template.joined(separator: "/") }
    }

    /// The methods a path answers, sorted; empty when no route has this path.
    func allowed(for path: String) -> [String] {
        var allowed = Set(matching(path).map(\.method))
        if allowed.contains("GET") { allowed.insert("HEAD") }  // HeadAsGetResponder answers it
        return allowed.sorted()
    }
}
