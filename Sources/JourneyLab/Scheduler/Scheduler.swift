import Foundation
import Postgres

/// Assigns deals to arms: what `POST /v1/assignments` and `journeylab assign` call.
///
/// A deal reported at a stage joins every running hypothesis of that stage (matched by stage key, in any
/// journey) whose segment filter admits it, once: repeats return the stored arms. Block hypotheses draw the
/// next slot of the deal's stratum from a sequence regenerable from the plan (`BlockSequence`); hash
/// hypotheses use `HashAssignment`. Hypotheses sharing an exclusion group never share a deal.
///
/// Concurrent calls are grouped (`EnrollmentQueue`) and committed together, so throughput grows with load;
/// every call returns only after its enrollment committed.
///
/// ```swift
/// let scheduler = Scheduler(pool: pool)
/// let result = try await scheduler.assign(
///     AssignmentRequest(dealID: "D-1001", dealerID: "dealer-7", stage: "first-visit"), actor: "key:key_ab12cd34")
/// ```
public struct Scheduler: Sendable {
    /// Batching settings.
    public struct Options: Sendable {
        /// Batches in flight at once (each holds one pooled connection while it runs).
        public var maxConcurrentBatches: Int
        /// Requests per batch at most.
        public var maxBatchSize: Int

        public init(maxConcurrentBatches: Int = 4, maxBatchSize: Int = 256) {
            self.maxConcurrentBatches = maxConcurrentBatches
            self.maxBatchSize = maxBatchSize
        }
    }

    public let pool: PGPool
    public let clock: any JourneyClock
    private let queue: EnrollmentQueue

    /// - Parameters:
    ///   - pool: the database; batches borrow at most `min(options.maxConcurrentBatches, pool size)` connections.
    ///   - clock: the time source (lifecycle moves use it; assignments are stamped by the database).
    ///   - options: batching settings.
    public init(pool: PGPool, clock: any JourneyClock = SystemJourneyClock(), options: Options = Options()) {
        self.pool = pool
        self.clock = clock
        let cache = SchedulerCache()
        queue = EnrollmentQueue(
            maxConcurrentBatches: min(options.maxConcurrentBatches, pool.options.size),
            maxBatchSize: options.maxBatchSize
        ) { requests in
            do {
                let results = try await pool.withConnection { connection in
                    try EnrollmentBatch(requests: requests, cache: cache).run(connection)
                }
                return results
            } catch {
                return requests.map { _ in .failure(error) }
            }
        }
    }

    /// Enrolls the deal in every eligible running hypothesis of its stage (once; repeats return the same arms).
    ///
    /// A repeat may omit `segment`; a repeat that names another dealer or segment than the stored deal is refused.
    /// No deal row is stored until the deal joins its first hypothesis.
    /// - Parameters:
    ///   - request: the deal, its dealer, the stage it reached, its segment.
    ///   - actor: who asks (`key:…`, `cli:…`), for logs.
    /// - Returns: every hypothesis the deal is in, earlier or new, by hypothesis key.
    /// - Throws: `JourneyLabError.invalidInput` for bad ids, `.conflict` when the deal's dealer or segment
    ///   differs from what was stored, `PGError` when the database is unreachable.
    public func assign(_ request: AssignmentRequest, actor: String) async throws -> AssignmentResult {
        try request.validate()
        return try await queue.submit(request)
    }
}
