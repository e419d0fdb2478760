import Foundation
import Hummingbird
import NIOCore

/// Reads a request body as strict JSON: JSON content type only (415), at most 1 MiB (413), valid UTF-8 without
/// NUL characters (400), and no unknown fields or wrong types (400 naming the field).
enum StrictJSON {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: AppRequestContext) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard mediaType == "application/json" else {
            throw Problem(
                .unsupportedMediaType,
                contentType.isEmpty ? "send the body as JSON with Content-Type: application/json"
                    : "Content-Type \(contentType) is not supported: send application/json")
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
            throw Problem.badRequest("the request body ended before it was complete: send the whole body again")
        }
        let bytes = buffer.readableBytesView
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Problem.badRequest("the body is not valid UTF-8")
        }
        if bytes.contains(0) || containsEscapedNUL(bytes) {
            throw Problem.badRequest("the body contains a NUL character, which no field may hold")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw problem(for: error)
        }
    }

    /// `\u0000` in a JSON string (after an even number of backslashes, so `\\u0000` is text, not NUL).
    static func containsEscapedNUL(_ bytes: ByteBufferView) -> Bool {
        let array = Array(bytes)
        let pattern = Array("u0000".utf8)
        var index = 0
        while index + 5 < array.count {
            if array[index] == 92 {  // backslash
                if array[index + 1] == 92 { index += 2; continue }
                if Array(array[(index + 1)...(index + 5)]).map({ $0 | 0x20 }) == pattern.map({ $0 | 0x20 }) { return true }
            }
            index += 1
        }
        return false
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

extension Decoder {
    /// Throws for the first key not in `allowed`, naming it (strict decoding).
    func rejectUnknownKeys(_ allowed: Set<String>) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !allowed.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key as any CodingKey], debugDescription: "unknown field"))
        }
    }
}

/// JSON responses with `application/json`.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func raw(_ data: Data, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
