import Logging
import Synchronization

/// A bounded pool of libpq connections whose blocking calls all run on a dedicated thread pool.
///
/// - Work borrows a connection with `withConnection { connection in … }`; the closure runs on one of the
///   pool's own threads (never on Swift Concurrency's cooperative threads, which are as few as the cores).
///   Those threads are also a task executor (`executor`): a task that prefers it runs its calls inline,
///   without a thread hop per statement.
/// - Single statements (`execute`, `query`) need no thread of their own: the pool's event loops
///   (`PGEventLoop`) keep many in flight at once, each on a borrowed connection.
/// - At most `size` connections exist; a borrower waits at most `acquireTimeout`, then gets `.poolTimeout`.
/// - A broken connection is dropped when it is returned and replaced on the next borrow; if it broke before
///   the work had done anything, the work is retried once on a fresh connection, so a restarted PostgreSQL
///   or a terminated backend never needs a process restart.
///
/// ```swift
/// let pool = PGPool(configuration: try PGConfiguration(url), options: .init(size: 8))
/// let count = try await pool.withConnection { try $0.query("SELECT count(*) FROM deals").scalar(Int.self) }
/// try await pool.execute("UPDATE deals SET segment = $1 WHERE deal_id = $2", [segment, dealID])
/// ```
public final class PGPool: Sendable {
    /// Pool settings.
    public struct Options: Sendable {
        /// Maximum number of open connections (and threads).
        public var size: Int
        /// How long a borrower waits for a free connection before `.poolTimeout`.
        public var acquireTimeout: Duration
        /// Server-side limit on one statement (`statement_timeout`); nil for none.
        public var statementTimeout: Duration?
        /// Threads that drive single statements (`execute`, `query`) asynchronously.
        public var eventLoops: Int

        public init(
            size: Int = 8, acquireTimeout: Duration = .seconds(10), statementTimeout: Duration? = .seconds(30),
            eventLoops: Int = 1
        ) {
            self.size = max(1, size)
            self.acquireTimeout = acquireTimeout
            self.statementTimeout = statementTimeout
            self.eventLoops = max(1, eventLoops)
        }
    }

    /// A snapshot for metrics and leak checks.
    public struct Usage: Sendable, Equatable {
        public var open: Int
        public var idle: Int
        public var waiting: Int
        public var size: Int
    }

    private enum Slot: Sendable {
        case idle(PGConnection)
        case new

    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Slot, any Error>
    }

    private struct State {
        var idle: [PGConnection] = []
        var open = 0  // idle + lent + being opened
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        var isClosed = false
    }

    public let configuration: PGConfiguration
    public let options: Options
    /// The pool's threads; tasks that prefer this executor borrow connections without changing threads.
    public let executor: PGThreadExecutor
    private let state = PGLocked(State())
    private let logger: Logger
    /// The threads that run single statements (`execute`, `query`). A task that prefers one of them as its
    /// executor submits statements and continues after each on that thread, with no hop in between.
    public let eventLoops: [PGEventLoop]
    private let nextLoop = Atomic<Int>(0)

    public init(configuration: PGConfiguration, options: Options = Options(), logger: Logger = Logger(label: "journeylab.pg")) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        self.executor = PGThreadExecutor(threads: options.size)
        self.eventLoops = (0..<options.eventLoops).map { _ in PGEventLoop() }
    }

    /// Current counts of open, idle and waiting.
    public var usage: Usage {
        state.withLock { Usage(open: $0.open, idle: $0.idle.count, waiting: $0.waiters.count, size: options.size) }
    }

    /// Borrows a connection and runs `body` with it on the pool's thread.
    /// - Throws: `.poolTimeout`, `.poolClosed`, `.connectionFailed`, or whatever `body` throws.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            // Waiting for a connection happens where the caller runs, so a waiter's timeout works even while
            // every pool thread is busy; the blocking part then runs on a pool thread (inline if already there).
            let slot = try await acquire()
            let outcome =
                executor.isCurrentThread
                ? run(body, on: slot)
                : await withTaskExecutorPreference(executor) { self.run(body, on: slot) }
            switch outcome {
            case .success(let value, let connection):
                release(connection, broken: connection.isBroken)
                return value
            case .connectFailed(let error):
                release(nil, broken: true)
                throw error
            case .failure(let error, let connection):
                if giveBack(connection, failedWith: error), attempt == 1 {
                    logger.info("replacing a broken database connection", metadata: ["reason": "\(error)"])
                    continue
                }
                throw error
            }
        }
    }

    private enum Outcome<T: Sendable>: Sendable {
        case success(T, PGConnection)
        case failure(any Error, PGConnection)
        case connectFailed(any Error)
    }

    /// The blocking part of a borrow, on one of the pool's threads.
    private func run<T: Sendable>(_ body: (PGConnection) throws -> T, on slot: Slot) -> Outcome<T> {
        let connection: PGConnection
        switch slot {
        case .idle(let existing): connection = existing
        case .new:
            do {
                connection = try open()
            } catch {
                return .connectFailed(error)
            }
        }
        connection.statementsSinceCheckout = 0
        guard executor.isCurrentThread else {
            // Cannot happen (the executor preference is set above); refuse rather than block a Swift thread.
            return .failure(PGError(.client, "PGPool: blocking work outside the pool's threads"), connection)
        }
        do {
            return .success(try body(connection), connection)
        } catch {
            return .failure(error, connection)
        }
    }

    /// Returns a connection whose work failed: dropped (with the idle ones) when it was lost. True when it was
    /// lost before anything ran on it, so the work can be retried on a fresh one without doing anything twice.
    private func giveBack(_ connection: PGConnection, failedWith error: any Error) -> Bool {
        let lost = connection.isBroken || (error as? PGError)?.code == .connectionLost
        let ranNothing = connection.statementsSinceCheckout == 0
        release(connection, broken: lost)
        guard lost else { return false }
        dropIdleConnections()
        return ranNothing
    }

    private func open() throws -> PGConnection {
        try PGConnection(configuration: configuration, statementTimeout: options.statementTimeout)
    }

    // MARK: Single statements on the event loops

    /// Runs one statement on a pooled connection and returns the rows it affected, without holding a thread
    /// while PostgreSQL works: the pool's event loops keep many statements in flight at once.
    /// - Throws: like `withConnection` (a statement on a connection found broken before it ran is retried once).
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PGEncodable] = [], planning: PGPlanning = .perExecution) async throws -> Int {
        try await run(PGStatement(sql, parameters, planning: planning)) { $0.affectedRows }
    }

    /// Runs one statement like `execute` and returns its rows, each made by `transform` (on the event loop).
    public func query<T: Sendable>(
        _ sql: String, _ parameters: [any PGEncodable] = [], planning: PGPlanning = .perExecution,
        rows transform: @escaping @Sendable (PGRow) throws -> T
    ) async throws -> [T] {
        try await run(PGStatement(sql, parameters, planning: planning)) { try $0.rows(transform) }
    }

    /// What an event-loop statement reports back: its failure, and whether it may run again elsewhere.
    private struct LoopOutcome: Sendable {
        var failure: (any Error)?
        var retryable = false
    }

    /// Holds a statement's value from the loop's thread until the caller resumes (the resume orders the two).
    private final class ValueBox<T>: @unchecked Sendable {
        var value: T?
    }

    private func run<T: Sendable>(_ statement: PGStatement, read: @escaping @Sendable (borrowing PGResult) throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let slot = try await acquire()
            let connection: PGConnection
            switch slot {
            case .idle(let existing): connection = existing
            case .new:
                do {
                    // Connecting blocks: on the pool's threads, not the loop's or Swift's.
                    connection = try await withTaskExecutorPreference(executor) { try self.open() }
                } catch {
                    release(nil, broken: true)
                    throw error
                }
            }
            connection.statementsSinceCheckout = 0
            let box = ValueBox<T>()
            let loop = currentOrNextLoop()
            let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<LoopOutcome, Never>) in
                let operation = PGEventLoop.Operation(
                    connection: connection, statement: statement, read: { box.value = try read($0) },
                    finish: { [self] error in
                        // Back to the pool at once, on the loop's thread: the next borrower need not wait for
                        // this task to be scheduled.
                        var outcome = LoopOutcome(failure: error)
                        if let error {
                            outcome.retryable = giveBack(connection, failedWith: error)
                        } else {
                            release(connection, broken: connection.isBroken)
                        }
                        continuation.resume(returning: outcome)
                    })
                loop.submit(operation)
            }
            guard let failure = outcome.failure else {
                guard let value = box.value else { throw PGError(.client, "the statement returned no result") }
                return value
            }
            if outcome.retryable, attempt == 1 {
                logger.info("replacing a broken database connection", metadata: ["reason": "\(failure)"])
                continue
            }
            throw failure
        }
    }

    private func currentOrNextLoop() -> PGEventLoop {
        if let current = eventLoops.first(where: \.isCurrentThread) { return current }
        return eventLoops[nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue % eventLoops.count]
    }

    /// Borrows a connection and runs `body` in a transaction (commit on return, rollback on throw).
    ///
    /// Serialization failures and deadlocks are retried up to `retries` times: the transaction was rolled
    /// back, so running it again cannot apply it twice.
    public func withTransaction<T: Sendable>(
        _ isolation: PGConnection.Isolation = .readCommitted, retries: Int = 3,
        _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        var remaining = retries
        while true {
            do {
                return try await withConnection { try $0.withTransaction(isolation, body) }
            } catch let error as PGError where (error.code == .serializationFailure || error.code == .deadlockDetected) && remaining > 0 {
                remaining -= 1
            }
        }
    }

    /// Closes every connection and stops the threads; later borrowers get `.poolClosed`.
    public func shutdown() async {
        let (idle, waiters) = state.withLock { state -> ([PGConnection], [Waiter]) in
            state.isClosed = true
            let idle = state.idle
            let waiters = state.waiters
            state.open -= idle.count
            state.idle.removeAll()
            state.waiters.removeAll()
            return (idle, waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PGError(.poolClosed, "the database pool is shut down"))
        }
        _ = idle  // closing happens in PGConnection.deinit (PQfinish)
        executor.shutdown()
        for loop in eventLoops { loop.shutdown() }
    }

    // MARK: Lending

    private func acquire() async throws -> Slot {
        if let slot = try state.withLock({ try Self.takeSlot(&$0, size: options.size) }) { return slot }

        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timeout = options.acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.expireWaiter(id)
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Slot, any Error>) in
                state.withLock { state in
                    do {
                        if let slot = try Self.takeSlot(&state, size: options.size) {
                            continuation.resume(returning: slot)
                        } else {
                            state.waiters.append(Waiter(id: id, continuation: continuation))
                        }
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        } onCancel: {
            removeWaiter(id)?.resume(throwing: CancellationError())
        }
    }

    private static func takeSlot(_ state: inout State, size: Int) throws -> Slot? {
        if state.isClosed { throw PGError(.poolClosed, "the database pool is shut down") }
        if let connection = state.idle.popLast() { return .idle(connection) }
        if state.open < size {
            state.open += 1
            return .new
        }
        return nil
    }

    private func expireWaiter(_ id: Int) {
        let message = "no database connection became free within \(options.acquireTimeout) (pool size \(options.size))"
        removeWaiter(id)?.resume(throwing: PGError(.poolTimeout, message))
    }

    private func removeWaiter(_ id: Int) -> CheckedContinuation<Slot, any Error>? {
        state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
    }

    /// Returns a connection (or the right to open one) to the next waiter, or to the idle list.
    private func release(_ connection: PGConnection?, broken: Bool) {
        let handoff = state.withLock { state -> (CheckedContinuation<Slot, any Error>, Slot)? in
            let usable = (broken || state.isClosed) ? nil : connection
            if !state.waiters.isEmpty, !state.isClosed {
                let waiter = state.waiters.removeFirst()
                return (waiter.continuation, usable.map { .idle($0) } ?? .new)  // `.new` keeps `open` unchanged
            }
            if let usable {
                state.idle.append(usable)
            } else {
                state.open -= 1
            }
            return nil
        }
        if let (continuation, slot) = handoff { continuation.resume(returning: slot) }
    }

    /// After a connection was lost the idle ones are likely dead too (server restart): drop them all.
    private func dropIdleConnections() {
        let dropped = state.withLock { state -> [PGConnection] in
            let idle = state.idle
            state.idle.removeAll()
            state.open -= idle.count
            return idle
        }
        if !dropped.isEmpty {
            // PQfinish on a dead socket does not block for long, but keep it off the caller's thread anyway.
            let holder = dropped
            executor.submit { _ = holder }
        }
    }
}
