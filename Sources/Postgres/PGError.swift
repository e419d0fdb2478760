/// An error from PostgreSQL or from the client, as a value.
///
/// `message` is safe to show a user; `detail` (server detail, hint, SQL position) is for logs.
/// Callers branch on `code`, which is a struct over a private enum so that new cases never break them
/// (the same shape as postgres-nio's `PSQLError`).
public struct PGError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, distinguishable without parsing messages.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case connectionFailed, invalidConnectionOption, connectionLost, poolTimeout, poolClosed, queryTimeout
            case uniqueViolation, foreignKeyViolation, checkViolation, notNullViolation, exclusionViolation
            case serializationFailure, deadlockDetected, invalidInput, insufficientPrivilege, server, decoding, client
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Could not open a connection (server down, bad credentials, unknown host).
        public static let connectionFailed = Code(.connectionFailed)
        /// The URL or conninfo holds a value libpq refuses before it tries to connect (a port that is not a
        /// number, an unknown sslmode, more ports than hosts): a mistake in the configuration, not an outage.
        public static let invalidConnectionOption = Code(.invalidConnectionOption)
        /// The connection broke while in use (server restart, terminated backend, network).
        public static let connectionLost = Code(.connectionLost)
        /// No pooled connection became free within the pool's wait timeout.
        public static let poolTimeout = Code(.poolTimeout)
        /// The pool was shut down.
        public static let poolClosed = Code(.poolClosed)
        /// The statement was cancelled by `statement_timeout` (SQLSTATE 57014).
        public static let queryTimeout = Code(.queryTimeout)
        /// SQLSTATE 23505.
        public static let uniqueViolation = Code(.uniqueViolation)
        /// SQLSTATE 23503.
        public static let foreignKeyViolation = Code(.foreignKeyViolation)
        /// SQLSTATE 23514.
        public static let checkViolation = Code(.checkViolation)
        /// SQLSTATE 23502.
        public static let notNullViolation = Code(.notNullViolation)
        /// SQLSTATE 23P01.
        public static let exclusionViolation = Code(.exclusionViolation)
        /// SQLSTATE 40001: retry the transaction.
        public static let serializationFailure = Code(.serializationFailure)
        /// SQLSTATE 40P01: retry the transaction.
        public static let deadlockDetected = Code(.deadlockDetected)
        /// The server rejected a value (SQLSTATE class 22: bad number, bad date, invalid text).
        public static let invalidInput = Code(.invalidInput)
        /// SQLSTATE 42501: the database role lacks a privilege (e.g. the server's role trying DDL).
        public static let insufficientPrivilege = Code(.insufficientPrivilege)
        /// Any other server error; see `sqlState`.
        public static let server = Code(.server)
        /// A column could not be decoded as the requested Swift type.
        public static let decoding = Code(.decoding)
        /// Misuse of the client (wrong state, bad argument).
        public static let client = Code(.client)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// One line, safe to show to users.
    public var message: String
    /// Server detail, hint and context: for logs, never for API clients.
    public var detail: String?
    /// The violated constraint's name, for integrity errors.
    public var constraint: String?

    public init(
        _ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil, constraint: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.constraint = constraint
    }

    /// Maps a SQLSTATE to the kinds callers branch on.
    static func code(forSQLState state: String?) -> Code {
        guard let state else { return .server }
        switch state {
        case "23505": return .uniqueViolation
        case "23503": return .foreignKeyViolation
        case "23514": return .checkViolation
        case "23502": return .notNullViolation
        case "23P01": return .exclusionViolation
        case "40001": return .serializationFailure
        case "40P01": return .deadlockDetected
        case "42501": return .insufficientPrivilege
        case "57014": return .queryTimeout
        case "57P01", "57P02", "57P03": return .connectionLost  // admin shutdown, crash shutdown, cannot connect now
        default:
            if state.hasPrefix("08") { return .connectionLost }
            if state.hasPrefix("22") { return .invalidInput }
            return .server
        }
    }

    /// True when retrying the whole unit of work on a fresh connection may succeed.
    public var isTransient: Bool {
        code == .connectionLost || code == .connectionFailed || code == .serializationFailure
            || code == .deadlockDetected
    }

    public var description: String {
        var text = "PGError(\(code)"
        if let sqlState { text += ", \(sqlState)" }
        text += "): \(message)"
        if let detail, !detail.isEmpty { text += " — \(detail)" }
        return text
    }
}
