import CLibPQ
import Foundation

/// One libpq connection. Every method blocks the calling thread.
///
/// `@unchecked Sendable` because a connection moves between the pool's threads, but it is used by one job at
/// a time: the pool hands it to exactly one borrower until that borrower returns it. Never call it from a
/// Swift Concurrency thread directly: go through `PGPool.withConnection`, which runs on the pool's own threads.
public final class PGConnection: @unchecked Sendable {
    let handle: OpaquePointer
    /// Statements that succeeded since the pool last handed this connection out; a connection that broke
    /// before doing anything can be replaced and the work retried without risk of doing it twice.
    var statementsSinceCheckout = 0
    /// A server-side prepared statement: its name, how often it ran on this connection, and the run count at
    /// which it is prepared again.
    private struct Prepared {
        var name: String
        var runs: Int
        var renewAt: Int
    }
    /// Prepared statements by SQL text (`PGPlanning.reusable` only): parse and plan once per connection.
    private var prepared: [String: Prepared] = [:]
    /// Names handed out so far (a re-prepared statement gets a new one).
    private var preparedCount = 0
    /// How often each not-yet-prepared text ran: only texts that repeat are worth a prepare round trip
    /// (batch statements built for one size would otherwise each cost an extra round trip).
    private var unpreparedUses: [String: Int] = [:]
    /// Statements beyond this many are run unprepared (ad-hoc SQL should not grow the cache forever).
    private static let preparedLimit = 256
    /// A reusable statement is prepared again each time its run count doubles (16, 32, 64, … runs), then every
    /// this many runs: tables written by the same code grow about as fast as it runs, so a generic plan is
    /// never made for tables much smaller than the current ones (one extra round trip each time).
    public static let reusablePlanLifetime = 1_024

    /// Opens a connection and sets the session up for the decoders (ISO dates in UTC).
    /// - Throws: `PGError.connectionFailed` with libpq's reason.
    public init(configuration: PGConfiguration, statementTimeout: Duration? = nil) throws {
        guard let handle = PQconnectdb(configuration.connectionString) else {
            throw PGError(.connectionFailed, "could not allocate a libpq connection")
        }
        self.handle = handle  // from here on deinit runs PQfinish, also when the connect failed
        guard PQstatus(handle) == CONNECTION_OK else {
            let reason = Self.lastError(handle)
            let code: PGError.Code = Self.isOptionError(reason) ? .invalidConnectionOption : .connectionFailed
            throw PGError(code, "cannot connect to PostgreSQL at \(configuration): \(reason)")
        }
        // Server notices ("relation already exists, skipping") are not errors; keep them off stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        // Plan reuse is chosen per statement (`PGPlanning`): `auto` lets `.reusable` statements use generic plans.
        var setup = "SET DateStyle = 'ISO'; SET TimeZone = 'UTC'; SET client_encoding = 'UTF8'; SET plan_cache_mode = auto"
        if let statementTimeout {
            let millis = statementTimeout.components.seconds * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000
            setup += "; SET statement_timeout = \(millis)"
        }
        try simpleQuery(setup)
    }

    deinit { PQfinish(handle) }

    /// True when libpq knows the connection is unusable (server gone, backend terminated).
    public var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    /// The server's version as a number, e.g. 150018 for 15.18.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// The server process serving this connection (for `pg_terminate_backend` in tests and for logs).
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// True inside `BEGIN … COMMIT`.
    public var isInTransaction: Bool { PQtransactionStatus(handle) != PQTRANS_IDLE }

    // MARK: Queries

    /// Runs one parameterized statement (`$1`, `$2`, …) and returns its rows.
    ///
    /// Parameters are always sent separately from the SQL text, so quotes and semicolons in values are data.
    /// ```swift
    /// let result = try connection.query("SELECT name FROM arms WHERE hypothesis_key = $1", [key])
    /// let names = try result.rows { try $0.decode(String.self, 0) }
    /// ```
    /// - Parameter planning: `.reusable` for hot statements whose plan does not depend on the values (see
    ///   `PGPlanning`); by default every run is planned for its values.
    /// - Throws: `PGError` with the SQLSTATE mapped to a `PGError.Code`.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PGEncodable] = [], planning: PGPlanning = .perExecution) throws -> PGResult {
        guard planning == .reusable, let name = try preparedName(for: sql, parameterCount: parameters.count) else {
            let raw = try withParameterPointers(parameters) { values in
                PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
            return try check(raw)
        }
        let raw = try withParameterPointers(parameters) { values in
            PQexecPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0)
        }
        do {
            return try check(raw)
        } catch let error as PGError where error.sqlState == "0A000" || error.sqlState == "26000" {
            // The schema changed under a cached plan ("cached plan must not change result type"), or the
            // statement vanished (DISCARD ALL): forget it and run the statement unprepared once.
            prepared.removeValue(forKey: sql)
            if !isInTransaction || error.sqlState == "26000" {
                let retry = try withParameterPointers(parameters) { values in
                    PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
                }
                return try check(retry)
            }
            throw error
        }
    }

    /// The prepared statement's name for `sql`, preparing it on its second use and again on the schedule of
    /// `reusablePlanLifetime`; nil when it should run unprepared this time (first use, or the cache is full).
    func preparedName(for sql: String, parameterCount: Int) throws -> String? {
        var runs = 2
        if var statement = prepared[sql] {
            statement.runs += 1
            guard statement.runs >= statement.renewAt, PQtransactionStatus(handle) != PQTRANS_INERROR else {
                prepared[sql] = statement
                return statement.name
            }
            // Drop it, so the next generic plan is made for the tables as they are now.
            prepared.removeValue(forKey: sql)
            try simpleQuery("DEALLOCATE \(statement.name)")
            statementsSinceCheckout -= 1
            runs = statement.runs
        } else {
            guard prepared.count < Self.preparedLimit else { return nil }
            if unpreparedUses.count > 4 * Self.preparedLimit { unpreparedUses.removeAll(keepingCapacity: true) }
            unpreparedUses[sql, default: 0] += 1
            guard unpreparedUses[sql]! >= 2 else { return nil }
            unpreparedUses.removeValue(forKey: sql)
        }
        preparedCount += 1
        let name = "jl_\(preparedCount)"
        let raw = PQprepare(handle, name, sql, Int32(parameterCount), nil)
        _ = try check(raw)
        statementsSinceCheckout -= 1  // preparing is not work done on the caller's behalf
        prepared[sql] = Prepared(name: name, runs: runs, renewAt: max(16, min(2 * runs, runs + Self.reusablePlanLifetime)))
        return name
    }

    /// Runs one parameterized statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PGEncodable] = [], planning: PGPlanning = .perExecution) throws -> Int {
        try query(sql, parameters, planning: planning).affectedRows
    }

    /// Runs SQL text without parameters; several `;`-separated statements are allowed (migrations).
    public func simpleQuery(_ sql: String) throws {
        var failure: PGError?
        guard PQsendQuery(handle, sql) == 1 else { throw connectionError() }
        while let raw = PQgetResult(handle) {
            if failure == nil {
                do { _ = try check(raw) } catch let error as PGError { failure = error }
            } else {
                PQclear(raw)
            }
        }
        if let failure { throw failure }
    }

    // MARK: Transactions

    /// Isolation levels for `withTransaction`.
    public enum Isolation: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// Runs `body` in a transaction: commit when it returns, roll back when it throws.
    ///
    /// Nested calls use a savepoint, so a helper that needs atomicity can be called inside a larger transaction.
    public func withTransaction<T>(_ isolation: Isolation = .readCommitted, _ body: (PGConnection) throws -> T) throws -> T {
        if isInTransaction {
            try simpleQuery("SAVEPOINT journeylab_nested")
            do {
                let value = try body(self)
                try simpleQuery("RELEASE SAVEPOINT journeylab_nested")
                return value
            } catch {
                try? simpleQuery("ROLLBACK TO SAVEPOINT journeylab_nested")
                throw error
            }
        }
        try simpleQuery("BEGIN ISOLATION LEVEL \(isolation.rawValue)")
        do {
            let value = try body(self)
            try simpleQuery("COMMIT")
            return value
        } catch {
            if !isBroken { try? simpleQuery("ROLLBACK") }
            throw error
        }
    }

    // MARK: Internals

    /// Turns a `PGresult*` into a `PGResult` or a `PGError`, freeing it on error.
    func check(_ raw: OpaquePointer?) throws -> PGResult {
        guard let raw else { throw connectionError() }
        switch PQresultStatus(raw) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_EMPTY_QUERY,
            PGRES_SINGLE_TUPLE, PGRES_PIPELINE_SYNC:
            statementsSinceCheckout += 1
            return PGResult(handle: raw)
        default:
            let error = serverError(raw)
            PQclear(raw)
            throw error
        }
    }

    func serverError(_ raw: OpaquePointer) -> PGError {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(raw, code) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(Int32(UInt8(ascii: "C")))
        let primary = field(Int32(UInt8(ascii: "M"))) ?? Self.lastError(handle)
        var details: [String] = []
        if let detail = field(Int32(UInt8(ascii: "D"))) { details.append("detail: \(detail)") }
        if let hint = field(Int32(UInt8(ascii: "H"))) { details.append("hint: \(hint)") }
        if let context = field(Int32(UInt8(ascii: "W"))) { details.append("context: \(context)") }
        var code = PGError.code(forSQLState: sqlState)
        if sqlState == nil, isBroken { code = .connectionLost }
        // Integrity errors name a constraint; the rest keep a generic user-facing message.
        let message = code == .server ? "database error \(sqlState ?? ""): \(primary)" : primary
        return PGError(
            code, message, sqlState: sqlState, detail: details.isEmpty ? nil : details.joined(separator: "; "),
            constraint: field(Int32(UInt8(ascii: "n"))))
    }

    func connectionError() -> PGError {
        let reason = Self.lastError(handle)
        return PGError(isBroken ? .connectionLost : .client, "lost the connection to PostgreSQL: \(reason)")
    }

    /// Whether libpq's reason is one of the option checks it makes before any network activity
    /// (`pqConnectOptions2` in fe-connect.c): those messages are the only ones worded like this.
    /// Some options (`connect_timeout`) are read per attempt, so their message follows the attempt's
    /// "connection to server at …, port … failed: ".
    static func isOptionError(_ reason: String) -> Bool {
        let attempt = reason.range(of: " failed: ").map { String(reason[$0.upperBound...]) }
        return [reason, attempt].compactMap { $0 }.contains { text in
            text.hasPrefix("invalid integer value ") || text.hasPrefix("invalid port number")
                || text.hasPrefix("could not match ") || text.contains(#/^invalid [a-z_]+ value: "/#)
        }
    }

    static func lastError(_ handle: OpaquePointer) -> String {
        guard let text = PQerrorMessage(handle) else { return "unknown error" }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.isEmpty ? "unknown error" : message.replacingOccurrences(of: "\n", with: " ")
    }
}

/// Lends libpq an array of C strings for the parameters (NULL for SQL NULL) for the duration of `body`.
/// - Throws: `.invalidInput` for a parameter holding U+0000: libpq reads C strings, so it would silently cut
///   the value there (PostgreSQL's text cannot hold NUL anyway).
func withParameterPointers<R>(_ parameters: [any PGEncodable], _ body: ([UnsafePointer<CChar>?]) -> R) throws -> R {
    try checkParameters(parameters)
    var owned: [UnsafeMutablePointer<CChar>?] = []
    owned.reserveCapacity(parameters.count)
    for parameter in parameters {
        owned.append(parameter.pgText.map { strdup($0) })
    }
    defer { for pointer in owned { free(pointer) } }
    return body(owned.map { UnsafePointer($0) })
}

/// Refuses parameters that libpq would truncate (a NUL character inside).
func checkParameters(_ parameters: [any PGEncodable]) throws {
    for (index, parameter) in parameters.enumerated() {
        if let text = parameter.pgText, text.utf8.contains(0) {
            throw PGError(.invalidInput, "parameter $\(index + 1) contains a NUL character (U+0000), which PostgreSQL text cannot hold")
        }
    }
}
