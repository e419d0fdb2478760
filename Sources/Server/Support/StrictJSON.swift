import Foundation
import Hummingbird
import NIOCore
import Postgres

/// Reads a request body as strict JSON: JSON content type in UTF-8 only, uncompressed (415), at most 1 MiB (413), valid UTF-8
/// without NUL characters (400), the strict grammar of `JSONSyntax` (400: no trailing commas, repeated fields,
/// deep nesting or unrepresentable numbers), and no unknown fields or wrong types (400 naming the field).
enum StrictJSON {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: AppRequestContext) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let parts = contentType.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingHTTPWhitespace() }
        guard parts[0] == "application/json" else {
            throw Problem(
                .unsupportedMediaType,
                contentType.isEmpty ? "send the body as JSON with Content-Type: application/json"
                    : "Content-Type \(contentType) is not supported: send application/json")
        }
        // JSON is UTF-8 (RFC 8259): a body declared in another charset would be read as something it is not.
        for parameter in parts.dropFirst() where parameter.hasPrefix("charset=") {
            var charset = Substring(parameter.dropFirst("charset=".count))
            if charset.count >= 2, charset.first == "\"", charset.last == "\"" { charset = charset.dropFirst().dropLast() }
            guard charset == "utf-8" || charset == "utf8" else {
                throw Problem(
                    .unsupportedMediaType,
                    "Content-Type charset \(charset) is not supported: send UTF-8 JSON (charset=utf-8, or no charset)")
            }
        }
        // Compressed bodies are not read (RFC 9110 §8.4.1: 415 for a coding the server does not support), and
        // never taken as plain JSON just because they happen to parse.
        for coding in request.headers[values: .contentEncoding].flatMap({ $0.split(separator: ",") }) {
            let name = coding.trimmingHTTPWhitespace().lowercased()
            guard name == "identity" else {
                var problem = Problem(
                    .unsupportedMediaType, "Content-Encoding \(name.prefix(40)) is not supported: send the JSON uncompressed")
                problem.headers[.acceptEncoding] = "identity"
                throw problem
            }
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > context.maxUploadSize {
            throw Problem(.contentTooLarge, "the request body exceeds 1 MiB: send fewer events per request")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw Problem(.contentTooLarge, "the request body exceeds 1 MiB: send fewer events per request")
        } catch let error as any HTTPResponseError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The body stream broke: the client closed or reset the connection before the whole body arrived
            // (a CRM that timed out), or framed it wrongly. That is the client's doing: a 400 (which it may still
            // read after a half-close), not a 500 in the metrics and the error log.
            throw Problem.badRequest(
                "the request body ended before it was complete or broke HTTP/1.1 framing (Content-Length, chunk sizes): send the whole body again")
        }
        let bytes = buffer.readableBytesView
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Problem.badRequest("the body is not valid UTF-8")
        }
        let array = Array(bytes)
        if array.contains(0) {
            throw Problem.badRequest("the body contains a NUL character, which no field may hold")
        }
        let capture: JSONSyntax.Capture
        do {
            capture = try JSONSyntax.checkCapturing(array)
        } catch let failure as JSONSyntax.Failure {
            throw Problem.badRequest(failure.message, field: failure.field)
        }
        // A body the type can take from what the syntax pass captured needs no second parse; anything else —
        // and every error message — comes from the decoder.
        if let type = T.self as? any CapturedJSONDecodable.Type, let value = type.init(captured: capture) {
            return value as! T
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(array))
        } catch let error as DecodingError {
            throw problem(for: error)
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text.isEmpty ? "body" : text
    }

    static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .badRequest("missing required field \(field)", field: field)
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return .badRequest("field \(field) must be \(describe(type))", field: field)
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .badRequest("field \(field) must be \(describe(type)), not null", field: field)
        case .dataCorrupted(let context):
            if context.debugDescription.hasPrefix("unknown field") {
                let field = path(context.codingPath)
                return .badRequest("unknown field \(field): see /openapi.yaml for the accepted fields", field: field)
            }
            if context.codingPath.isEmpty {
                return .badRequest("the body is not valid JSON")
            }
            let field = path(context.codingPath)
            return .badRequest("field \(field) has an invalid value", field: field)
        @unknown default:
            return .badRequest("the body is not valid JSON")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Decimal.Type, is Double.Type, is Int.Type: return "a number"
        case is Bool.Type: return "a boolean"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }
}

/// A request body that can be built from what `JSONSyntax` captured (Foundation's decoder was ~5% of the
/// server's CPU on assignments and ~12% on event batches, perf).
protocol CapturedJSONDecodable: Decodable {
    /// The value, or nil when the capture is not one the type accepts as it is (another shape, an unknown or
    /// missing field, a wrong type): the caller then decodes the body with `JSONDecoder`, which says what is wrong.
    init?(captured: JSONSyntax.Capture)
}

/// Any key, to list what a JSON object holds.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// A JSON object read strictly: keys outside the allowed set were refused when it was opened.
///
/// One keyed container serves both the check and the fields (opening a second one, keyed by an enum, made
/// Foundation index the object twice: ~5% of the server's CPU on event batches, perf).
struct StrictObject {
    let container: KeyedDecodingContainer<AnyCodingKey>

    func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
        try container.decode(type, forKey: AnyCodingKey(stringValue: key))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
        try container.decodeIfPresent(type, forKey: AnyCodingKey(stringValue: key))
    }
}

extension Decoder {
    /// Opens the object, throwing for the first key (in sorted order) not in `allowed`, naming it.
    func strictObject(allowing allowed: Set<String>) throws -> StrictObject {
        let container = try container(keyedBy: AnyCodingKey.self)
        let unknown = container.allKeys.filter { !allowed.contains($0.stringValue) }
        if let first = unknown.min(by: { $0.stringValue < $1.stringValue }) {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [first as any CodingKey], debugDescription: "unknown field"))
        }
        return StrictObject(container: container)
    }
}

/// JSON responses with `application/json`.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = RFC3339.encoding
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func raw(_ data: Data, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
