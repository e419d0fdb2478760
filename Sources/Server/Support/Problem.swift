import Foundation
import Hummingbird
import JourneyLab
import NIOCore
import NIOHTTP1
import Postgres

/// An RFC 9457 problem: every error the API returns, as `application/problem+json`.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    /// The field at fault (`events[3].type`), when there is one.
    public var field: String?
    public var headers: HTTPFields = [:]
    /// Extra members (e.g. `ready` on `/readyz`).
    public var ready: Bool?

    public init(_ status: HTTPResponse.Status, _ detail: String, field: String? = nil, title: String? = nil) {
        self.status = status
        self.title = title ?? status.reasonPhrase
        self.detail = Self.bounded(detail, 2_000)
        self.field = field.map { Self.bounded($0, 300) }
    }

    /// Messages quote the client's input (an unknown field's name, an id); a 500,000-character name must not
    /// make a megabyte of error. The cut is marked, and never splits a character.
    static func bounded(_ text: String, _ limit: Int) -> String {
        guard text.count > limit else { return text }
        return text.prefix(limit) + "… (\(text.count - limit) more characters)"
    }

    /// `https://journeylab.dev/problems/<status>`: stable, documented in openapi.yaml.
    public var type: String { "https://journeylab.dev/problems/\(status.code)" }

    public static func badRequest(_ detail: String, field: String? = nil) -> Problem { Problem(.badRequest, detail, field: field) }
    public static func unauthorized(_ detail: String) -> Problem {
        var problem = Problem(.unauthorized, detail)
        problem.headers[.wwwAuthenticate] = "Bearer"
        return problem
    }
    public static func forbidden(_ detail: String) -> Problem { Problem(.forbidden, detail) }
    public static func unavailable(_ detail: String) -> Problem {
        var problem = Problem(.serviceUnavailable, detail)
        problem.headers[.retryAfter] = "1"
        return problem
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response(requestID: context.id)
    }

    func response(requestID: String?) -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: body(requestID: requestID)))
    }

    /// The problem document.
    func body(requestID: String?) -> ByteBuffer {
        // RFC 9457's members in its order, then ours: the same bytes for the same problem every time, which a
        // dictionary-ordered encoder does not give (logs and diffs of responses stay readable).
        var output: [UInt8] = []
        output.reserveCapacity(192 + detail.utf8.count)
        func member(_ name: String) {
            output.append(output.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            JSONText.appendString(name, to: &output)
            output.append(UInt8(ascii: ":"))
        }
        member("type")
        JSONText.appendString(type, to: &output)
        member("title")
        JSONText.appendString(title, to: &output)
        member("status")
        output.append(contentsOf: String(status.code).utf8)
        member("detail")
        JSONText.appendString(detail, to: &output)
        if let field {
            member("field")
            JSONText.appendString(field, to: &output)
        }
        if let requestID {
            member("request_id")
            JSONText.appendString(requestID, to: &output)
        }
        if let ready {
            member("ready")
            output.append(contentsOf: (ready ? "true" : "false").utf8)
        }
        output.append(UInt8(ascii: "}"))
        return ByteBuffer(bytes: output)
    }

    /// Maps any error to a problem; unexpected ones become a bare 500 (details go to the log only).
    static func from(_ error: any Error) -> (problem: Problem, unexpected: Bool) {
        switch error {
        case let problem as Problem:
            return (problem, false)
        case let error as JourneyLabError:
            switch error.kind {
            case .invalidInput: return (Problem(.unprocessableContent, error.message, field: error.field), false)
            case .notFound: return (Problem(.notFound, error.message, field: error.field), false)
            case .conflict, .illegalState: return (Problem(.conflict, error.message, field: error.field), false)
            case .forbidden: return (Problem(.forbidden, error.message, field: error.field), false)
            case .unavailable: return (unavailable("the service is temporarily unavailable: retry shortly"), false)
            case .internalFailure: return (Problem(.internalServerError, "internal error"), true)
            }
        case let error as PGError:
            if error.code == .connectionFailed || error.code == .invalidConnectionOption || error.code == .connectionLost
                || error.code == .poolTimeout
                || error.code == .poolClosed || error.code == .queryTimeout
            {
                return (unavailable("the database is unavailable: retry shortly"), false)
            }
            if error.code == .checkViolation || error.code == .invalidInput || error.code == .notNullViolation {
                return (Problem(.unprocessableContent, "the database refused a value: \(error.constraint ?? "invalid input")"), false)
            }
            return (Problem(.internalServerError, "internal error"), true)
        case let error as any HTTPResponseError:
            let status = error.status
            let detail: String
            switch status {
            case .notFound: detail = "no such resource: see /openapi.yaml for the routes"
            case .contentTooLarge: detail = "the request body exceeds 1 MiB: send fewer events per request"
            case .methodNotAllowed: detail = "this method is not allowed on this resource"
            default: detail = (error as? HTTPError)?.body ?? status.reasonPhrase
            }
            return (Problem(status, detail), status.code >= 500)
        case let error as HTTPParserError:
            // The request's framing broke inside its body (a bad chunk size, the client gone before the body ended).
            return (Problem(.badRequest, "the request is not valid HTTP/1.1 (\(error)): check its Content-Length or chunked encoding"), false)
        case is CancellationError:
            return (unavailable("the request was cancelled (server shutting down)"), false)
        default:
            return (Problem(.internalServerError, "internal error"), true)
        }
    }
}
