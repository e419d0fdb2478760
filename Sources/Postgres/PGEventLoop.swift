import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One thread that keeps many statements in flight at once, each on its own connection, with libpq's
/// asynchronous calls (`PQsendQuery…`, `poll`, `PQconsumeInput`, `PQgetResult`).
///
/// The pool's blocking path parks one thread per statement in flight; with 32 concurrent statements on a
/// two-core machine that is 32 threads taking turns, and every statement costs a sleep and a wake-up. The
/// loop instead waits for all of its connections in one `poll`, the way `pgbench -j N` does, and runs the
/// tasks it answers on the same thread: it is a `TaskExecutor`, so a task that prefers it (see
/// `PGPool.eventLoop`) submits, waits and continues without any thread hop.
///
/// Used through `PGPool.execute`/`PGPool.query` for single statements; work that needs a connection for
/// several statements in a row (transactions, pipelines, COPY) keeps `PGPool.withConnection`.
public final class PGEventLoop: TaskExecutor, @unchecked Sendable {
    /// A statement handed to the loop with its connection; touched only by the loop's thread once queued.
    final class Operation {
        let connection: PGConnection
        let statement: PGStatement
        /// Called with each successful result, in order, on the loop's thread.
        let read: (borrowing PGResult) throws -> Void
        /// Called once, on the loop's thread, when the statement is done (nil) or failed.
        let finish: ((any Error)?) -> Void
        var failure: (any Error)?

        init(
            connection: PGConnection, statement: PGStatement, read: @escaping (borrowing PGResult) throws -> Void,
            finish: @escaping ((any Error)?) -> Void
        ) {
            self.connection = connection
            self.statement = statement
            self.read = read
            self.finish = finish
        }
    }

    private enum Item {
        case job(UnownedJob)
        case operation(Operation)
    }

    // Shared with other threads, guarded by `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var inbox: [Item] = []
    private var isPolling = false
    private var isShutDown = false
    /// A pipe whose read end is in every `poll`: one byte wakes the loop when work arrives from elsewhere.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    // The loop thread's own.
    private var inFlight: [Operation] = []

    /// Starts the loop's thread.
    public init() {
        pthread_mutex_init(mutex, nil)
        var ends: [Int32] = [0, 0]
        precondition(pipe(&ends) == 0, "cannot create the database event loop's wake-up pipe")
        (wakeRead, wakeWrite) = (ends[0], ends[1])
        for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        ExecutorThread.start(self, what: "the database event loop") { $0.run() }
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// True when the caller runs on this loop's thread.
    public var isCurrentThread: Bool { ExecutorThread.isCurrent(self) }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if !push(.job(unowned)) { globalConcurrentExecutor.enqueue(unowned) }
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Queues a statement; `operation.finish` is called on the loop's thread when it is done.
    func submit(_ operation: Operation) {
        if !push(.operation(operation)) {
            operation.finish(PGError(.poolClosed, "the database pool is shut down"))
        }
    }

    /// Finishes what is queued and in flight, then stops the thread. Later jobs run on the global executor.
    public func shutdown() {
        pthread_mutex_lock(mutex)
        isShutDown = true
        pthread_mutex_unlock(mutex)
        wake()
    }

    // MARK: The loop

    private func push(_ item: Item) -> Bool {
        pthread_mutex_lock(mutex)
        if isShutDown {
            pthread_mutex_unlock(mutex)
            return false
        }
        inbox.append(item)
        let mustWake = isPolling
        isPolling = false
        pthread_mutex_unlock(mutex)
        if mustWake { wake() }
        return true
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // a full pipe already means "wake up"
    }

    private func run() {
        let executor = asUnownedTaskExecutor()
        var items: [Item] = []
        var fds: [pollfd] = []
        var sink = [UInt8](repeating: 0, count: 64)
        while true {
            // Take everything queued, and again what that work queued (a resumed task that submits its next
            // statement), a few rounds, so that statement is sent before this pass polls rather than after.
            var stop = false
            var maySleep = false
            for _ in 0..<4 {
                pthread_mutex_lock(mutex)
                swap(&items, &inbox)
                stop = isShutDown && items.isEmpty && inFlight.isEmpty
                maySleep = items.isEmpty && !stop
                isPolling = maySleep
                pthread_mutex_unlock(mutex)
                if items.isEmpty { break }
                for item in items {
                    switch item {
                    case .job(let job): job.runSynchronously(on: executor)
                    case .operation(let operation): start(operation)
                    }
                }
                items.removeAll(keepingCapacity: true)
            }
            if stop { return }

            // Wait for replies (or only look, when work is still queued and the loop must not sleep). Work pushed
            // after the last look cleared `isPolling` and wrote to the pipe, so the poll returns at once.
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            for operation in inFlight {
                fds.append(pollfd(fd: PQsocket(operation.connection.handle), events: Int16(POLLIN), revents: 0))
            }
            let ready = poll(&fds, nfds_t(fds.count), maySleep ? -1 : 0)
            if maySleep {
                // Awake again: what this thread queues from here on (resumed tasks) needs no pipe write.
                pthread_mutex_lock(mutex)
                isPolling = false
                pthread_mutex_unlock(mutex)
            }
            guard ready > 0 else { continue }
            if fds[0].revents != 0 {
                while read(wakeRead, &sink, sink.count) > 0 {}
            }
            // Operations finish in place; walk backwards so removals keep the indexes of the rest.
            for index in stride(from: inFlight.count - 1, through: 0, by: -1) where fds[index + 1].revents != 0 {
                let operation = inFlight[index]
                if progress(operation) {
                    inFlight.remove(at: index)
                    operation.finish(operation.failure)
                }
            }
        }
    }

    /// Sends the statement (prepared when its planning says so); a failure to send finishes it at once.
    private func start(_ operation: Operation) {
        let connection = operation.connection
        let statement = operation.statement
        do {
            // A statement's first prepare is a round trip of its own (rare: second run, then on renewal).
            let name = statement.planning == .reusable
                ? try connection.preparedName(for: statement.sql, parameterCount: statement.parameters.count) : nil
            guard try connection.send(statement, preparedName: name) else { throw connection.connectionError() }
            inFlight.append(operation)
        } catch {
            operation.finish(error)
        }
    }

    /// Reads what arrived; true when the statement's last result is in.
    private func progress(_ operation: Operation) -> Bool {
        let connection = operation.connection
        guard PQconsumeInput(connection.handle) == 1 else {
            operation.failure = operation.failure ?? connection.connectionError()
            return true
        }
        while PQisBusy(connection.handle) == 0 {
            guard let raw = PQgetResult(connection.handle) else { return true }
            guard operation.failure == nil else {
                PQclear(raw)
                continue
            }
            do {
                let result = try connection.check(raw)
                try operation.read(result)
            } catch {
                operation.failure = error
            }
        }
        return false
    }
}
