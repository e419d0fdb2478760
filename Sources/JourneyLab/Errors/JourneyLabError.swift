/// A domain error with a code and a message that tells the user what to do next.
///
/// The CLI prints `message` and exits 2 for the input kinds and 1 for the rest; the HTTP API maps `kind`
/// to a problem+json status. `detail` is for logs only.
public struct JourneyLabError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The caller's input is wrong (CLI exit 2, HTTP 400/422).
        case invalidInput
        /// The named thing does not exist (CLI exit 2, HTTP 404).
        case notFound
        /// The input conflicts with stored state (CLI exit 2, HTTP 409).
        case conflict
        /// The caller may not do this (HTTP 403).
        case forbidden
        /// The move is not allowed in the current state (CLI exit 2, HTTP 409).
        case illegalState
        /// Something outside the caller's control failed (CLI exit 1, HTTP 503/500).
        case unavailable
        case internalFailure
    }

    public var kind: Kind
    public var message: String
    /// The field or option at fault, when there is one (`events[3].type`, `--weights`).
    public var field: String?
    public var detail: String?

    public init(_ kind: Kind, _ message: String, field: String? = nil, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
        self.detail = detail
    }

    public static func invalid(_ message: String, field: String? = nil) -> JourneyLabError {
        JourneyLabError(.invalidInput, message, field: field)
    }

    public static func notFound(_ message: String) -> JourneyLabError { JourneyLabError(.notFound, message) }

    /// True for the kinds caused by the caller's input (CLI exit status 2).
    public var isUsageError: Bool {
        switch kind {
        case .invalidInput, .notFound, .conflict, .illegalState, .forbidden: return true
        case .unavailable, .internalFailure: return false
        }
    }

    public var description: String { message }
}
