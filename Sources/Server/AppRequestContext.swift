import Foundation
import Hummingbird
import JourneyLab

/// The per-request context: Hummingbird's core storage plus the verified caller.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` on `/v1` and `/reports`.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
    }

    /// Request bodies above 1 MiB are refused with 413.
    public var maxUploadSize: Int { 1 << 20 }

    /// The verified caller, or 401 (only reachable when a route forgot the auth middleware).
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw Problem.unauthorized("missing API key: send Authorization: Bearer <key>") }
        return principal
    }

    /// The `{id}` of the path, percent-decoded (RFC 3986: `%61ccessories-sms` is `accessories-sms`); the router
    /// hands it over as sent. A decoding with control characters (`%00`) is no key: the id stays as sent, which
    /// names no hypothesis (404) instead of reaching PostgreSQL, which refuses NUL.
    func hypothesisID() throws -> String {
        let raw = try parameters.require("id")
        guard let decoded = raw.removingPercentEncoding, !ControlCharacters.occur(in: decoded) else { return raw }
        return decoded
    }
}
