import Foundation

extension PGPool {
    /// Runs one statement in a transaction of its own and returns the rows it affected.
    ///
    /// Statements from concurrent callers share round trips: those that arrive while earlier ones are in
    /// flight go together in one pipeline on one connection, each followed by its own sync point, so each
    /// commits or fails alone (`PGConnection.pipelineEach`). For many small independent writes from many
    /// tasks this costs a fraction of the thread wake-ups of a borrowed connection per call.
    /// ```swift
    /// try await pool.execute(PGStatement("INSERT INTO seen (id) VALUES ($1) ON CONFLICT DO NOTHING", [id]))
    /// ```
    /// - Throws: this statement's `PGError` only; the others of its pipeline are unaffected.
    @discardableResult
    public func execute(_ statement: PGStatement) async throws -> Int {
        try await sharedStatementQueue().submit(statement)
    }

    private func sharedStatementQueue() -> PGGroupQueue<PGStatement, Int> {
        statementQueue.withLock { queue in
            if let queue { return queue }
            // A few pipelines at once keep the cores busy; more would split the callers into smaller ones.
            let batches = max(1, min(options.size, ProcessInfo.processInfo.activeProcessorCount))
            let created = PGGroupQueue<PGStatement, Int>(maxConcurrentBatches: batches, maxBatchSize: 512, executor: executor) {
                [unowned self] statements in
                do {
                    return try await self.withConnection { try $0.pipelineEach(statements) }
                } catch {
                    return statements.map { _ in .failure(error) }
                }
            }
            queue = created
            return created
        }
    }
}
