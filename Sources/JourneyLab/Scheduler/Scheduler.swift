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
        /// Lanes (by dealer) the batches are spread over; batches of one lane may wait on each other's
        /// cursor locks, batches of different lanes touch different dealer strata.
        public var lanes: Int

        public init(maxConcurrentBatches: Int = 2, maxBatchSize: Int = 256, lanes: Int = 2) {
            self.maxConcurrentBatches = maxConcurrentBatches
            self.maxBatchSize = maxBatchSize
            self.lanes = lanes
        }
    }

    public let pool: PGPool
    public let clock: any JourneyClock
    /// One group-commit queue per lane, one batch in flight per lane; a deal's lane follows its dealer.
    private let lanes: [EnrollmentQueue]
    /// Plans, sequences and the fast path's hints, shared by the lanes.
    let cache = SchedulerCache()

    /// - Parameters:
    ///   - pool: the database; batches borrow at most `min(options.maxConcurrentBatches, pool size)` connections.
    ///   - clock: the time source (lifecycle moves use it; assignments are stamped by the database).
    ///   - options: batching settings.
    public init(pool: PGPool, clock: any JourneyClock = SystemJourneyClock(), options: Options = Options()) {
        self.pool = pool
        self.clock = clock
        let cache = self.cache
        let work: EnrollmentQueue.Work = { requests in
            do {
                return try await pool.withConnection { connection in
                    try EnrollmentBatch(requests: requests, cache: cache).run(connection)
                }
            } catch {
                return requests.map { _ in .failure(error) }
            }
        }
        // Lanes by dealer: batches running side by side touch disjoint dealer strata, so they do not queue
        // behind each other's cursor row locks (the common `stratify dealer` case).
        let batches = max(1, min(options.maxConcurrentBatches, pool.options.size))
        let laneCount = max(1, min(options.lanes, batches))
        lanes = (0..<laneCount).map { lane in
            // Spread the batch budget over the lanes (the first lanes take the remainder).
            let share = batches / laneCount + (lane < batches % laneCount ? 1 : 0)
            return EnrollmentQueue(
                maxConcurrentBatches: share, maxBatchSize: options.maxBatchSize, executor: pool.executor, work: work)
        }
    }

    /// The lane of a dealer: FNV-1a of its id, so it is stable within and across processes.
    private func lane(for dealerID: String) -> EnrollmentQueue {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in dealerID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return lanes[Int(hash % UInt64(lanes.count))]
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
        return try await lane(for: request.dealerID).submit(request)
    }
}
