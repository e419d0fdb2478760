import Hummingbird

/// Answers `HEAD` wherever `GET` is answered (RFC 9110 §9.3.2: load balancers and uptime probes use it): the
/// request runs as a `GET` and the response keeps its status and headers, `Content-Length` included, without
/// the body. It wraps the router's responder rather than being a router middleware, because the router picks
/// a route by method before any middleware runs (a `HEAD` would meet only the not-found responder).
struct HeadAsGetResponder<Routes: HTTPResponder>: HTTPResponder where Routes.Context == AppRequestContext {
    typealias Context = AppRequestContext
    let routes: Routes

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .head else { return try await routes.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        return try await routes.respond(to: Request(head: head, body: request.body), context: context).createHeadResponse()
    }
}
