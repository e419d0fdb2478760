import Foundation
import Synchronization

/// Group commit for assignment requests: requests that arrive while earlier batches are in flight are
/// processed together, in one lookup and one transaction, and each caller is answered only after that
/// transaction committed.
///
/// No timer and no background task: a caller that finds fewer than `maxConcurrentBatches` batches in flight
/// leads a batch itself (its own request plus everything queued); the others wait. When a leader is done it
/// hands leadership to the oldest waiting caller, so queued requests never depend on a caller that left.
/// Batches therefore grow with load (one request when idle, up to `maxBatchSize` under pressure) with no
/// added latency when the system is quiet.
final class EnrollmentQueue: Sendable {
    typealias Work = @Sendable ([AssignmentRequest]) async -> [Result<AssignmentResult, any Error>]

    private enum Turn: Sendable {
        case lead
        case done(Result<AssignmentResult, any Error>)
    }

    private struct Waiter {
        var request: AssignmentRequest
        var continuation: CheckedContinuation<Turn, Never>
    }

    private struct State {
        var waiting: [Waiter] = []
        var head = 0
        var inFlight = 0

        mutating func take(_ limit: Int) -> [Waiter] {
            let end = min(waiting.count, head + limit)
            let taken = Array(waiting[head..<end])
            head = end
            if head > 1024, head * 2 > waiting.count {
                waiting.removeFirst(head)
                head = 0
            }
            return taken
        }
    }

    private let state = Mutex(State())
    let maxConcurrentBatches: Int
    let maxBatchSize: Int
    private let work: Work
    /// Where batches run: the database pool's threads, so their statements need no thread hops.
    private let executor: (any TaskExecutor)?

    init(maxConcurrentBatches: Int, maxBatchSize: Int, executor: (any TaskExecutor)? = nil, work: @escaping Work) {
        self.maxConcurrentBatches = max(1, maxConcurrentBatches)
        self.maxBatchSize = max(1, maxBatchSize)
        self.executor = executor
        self.work = work
    }

    /// Queues the request and returns its result once its batch has committed.
    func submit(_ request: AssignmentRequest) async throws -> AssignmentResult {
        let leads = state.withLock { state -> Bool in
            guard state.inFlight < maxConcurrentBatches else { return false }
            state.inFlight += 1
            return true
        }
        if !leads {
            let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
                let leadNow = state.withLock { state -> Bool in
                    // A slot may have freed up since the check above.
                    if state.inFlight < maxConcurrentBatches {
                        state.inFlight += 1
                        return true
                    }
                    state.waiting.append(Waiter(request: request, continuation: continuation))
                    return false
                }
                if leadNow { continuation.resume(returning: .lead) }
            }
            if case .done(let result) = turn { return try result.get() }
        }
        return try await lead(request)
    }

    /// Runs one batch: this caller's request plus what is queued; then passes the lead on or leaves.
    private func lead(_ own: AssignmentRequest) async throws -> AssignmentResult {
        // No collection window: what queued while the previous batch ran is the batch. (A window of a few
        // scheduler turns and naps, to keep batches large, left ~20% of the CPU idle once a batch took two
        // round trips; without it enrollments ran 8–23% faster in bench-assign and the API no slower.)
        let others = state.withLock { $0.take(maxBatchSize - 1) }
        let batch = [own] + others.map(\.request)
        // Detached from this caller's cancellation: the batch serves other callers too, and a commit in
        // progress must be reported to all of them.
        let work = self.work
        let results = await Task(executorPreference: executor) { await work(batch) }.value
        for (waiter, result) in zip(others, results.dropFirst()) {
            waiter.continuation.resume(returning: .done(result))
        }
        let next = state.withLock { state -> Waiter? in
            if let waiter = state.take(1).first { return waiter }
            state.inFlight -= 1
            return nil
        }
        next?.continuation.resume(returning: .lead)
        return try results[0].get()
    }
}
