import CLibPQ

/// One statement of a pipelined batch.
public struct PGStatement: Sendable {
    public var sql: String
    public var parameters: [any PGEncodable]
    public var planning: PGPlanning
    public init(_ sql: String, _ parameters: [any PGEncodable] = [], planning: PGPlanning = .perExecution) {
        self.sql = sql
        self.parameters = parameters
        self.planning = planning
    }
}

extension PGConnection {
    /// Sends a batch of statements in libpq pipeline mode: one network round trip instead of one per statement.
    ///
    /// Pays off for many small writes (event batches, enrollments). Run it inside `withTransaction` for
    /// all-or-nothing; outside one, statements before a failure stay committed. Keep batches to a few
    /// thousand statements: libpq sends everything before reading the replies.
    /// - Parameter read: called with each successful statement's index and result, in order, to read its rows
    ///   (the result is valid only during the call); an error it throws is reported like a statement's.
    /// - Returns: the rows affected by each statement, in order.
    /// - Throws: the first statement's error; later statements are reported as aborted by the server.
    @discardableResult
    public func pipeline(
        _ statements: [PGStatement], read: ((Int, borrowing PGResult) throws -> Void)? = nil
    ) throws -> [Int] {
        guard !statements.isEmpty else { return [] }
        for statement in statements { try checkParameters(statement.parameters) }
        let names = try preparedNames(statements)
        guard PQenterPipelineMode(handle) == 1 else {
            throw PGError(.client, "cannot enter pipeline mode: \(Self.lastError(handle))")
        }
        defer { _ = PQexitPipelineMode(handle) }
        for (statement, name) in zip(statements, names) {
            guard try send(statement, preparedName: name) else { throw drainAfterFailure(connectionError()) }
        }
        guard PQpipelineSync(handle) == 1 else { throw drainAfterFailure(connectionError()) }

        var affected: [Int] = []
        affected.reserveCapacity(statements.count)
        var failure: PGError?
        var readFailure: (any Error)?
        for index in statements.indices {
            guard let raw = PQgetResult(handle) else { throw connectionError() }
            if PQresultStatus(raw) == PGRES_PIPELINE_ABORTED {
                PQclear(raw)
                affected.append(0)
            } else {
                do {
                    let result = try check(raw)
                    affected.append(result.affectedRows)
                    if failure == nil, readFailure == nil, let read {
                        do { try read(index, result) } catch { readFailure = error }
                    }
                } catch let error as PGError {
                    if failure == nil { failure = error }
                    affected.append(0)
                }
            }
            // Each statement's results end with a NULL.
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        // The sync point.
        if let sync = PQgetResult(handle) { PQclear(sync) }
        if let failure { throw failure }
        if let readFailure { throw readFailure }
        return affected
    }

    /// Sends a statement without waiting for its result: by its prepared name when it has one. False when
    /// libpq could not send it (the connection's error says why).
    func send(_ statement: PGStatement, preparedName name: String?) throws -> Bool {
        let count = Int32(statement.parameters.count)
        return try withParameterPointers(statement.parameters) { values in
            if let name {
                PQsendQueryPrepared(handle, name, count, values, nil, nil, 0)
            } else {
                PQsendQueryParams(handle, statement.sql, count, nil, values, nil, nil, 0)
            }
        } == 1
    }

    /// Prepared-statement names for a batch, resolved before the pipeline starts (a first prepare is a round
    /// trip of its own) and once per distinct text: a renewal part-way through would drop a name that earlier
    /// statements of the same batch already carry.
    private func preparedNames(_ statements: [PGStatement]) throws -> [String?] {
        var names: [String: String?] = [:]
        return try statements.map { statement in
            guard statement.planning == .reusable else { return nil }
            if let name = names[statement.sql] { return name }
            let name = try preparedName(for: statement.sql, parameterCount: statement.parameters.count)
            names[statement.sql] = name
            return name
        }
    }

    private func drainAfterFailure(_ error: PGError) -> PGError {
        _ = PQpipelineSync(handle)
        while PQpipelineStatus(handle) != PQ_PIPELINE_OFF {
            guard let raw = PQgetResult(handle) else {
                if isBroken { break }
                continue
            }
            let isSync = PQresultStatus(raw) == PGRES_PIPELINE_SYNC
            PQclear(raw)
            if isSync { break }
        }
        return error
    }
}
