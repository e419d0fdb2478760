import Foundation
import Postgres

/// Assigns deals to arms: what `POST /v1/assignments` and `journeylab assign` call.
///
/// SKELETON: the scheduler issue (#5) fills this in — stratified permuted blocks, hash method,
/// exclusion groups, idempotency under concurrency.
public struct Scheduler: Sendable {
    public let pool: PGPool
    public let clock: any JourneyClock

    public init(pool: PGPool, clock: any JourneyClock = SystemJourneyClock()) {
        self.pool = pool
        self.clock = clock
    }

    /// Enrolls the deal in every eligible running hypothesis of its stage (once; repeats return the same arms).
    /// - Throws: `JourneyLabError.invalidInput` for bad ids, `.conflict` when the deal's dealer or segment
    ///   differs from what was stored, `PGError` when the database is unreachable.
    public func assign(_ request: AssignmentRequest, actor: String) async throws -> AssignmentResult {
        throw JourneyLabError(.internalFailure, "the scheduler is not implemented yet")
    }
}
