#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The pool's own threads, as a Swift task executor.
///
/// libpq calls block, so they must never run on Swift Concurrency's cooperative threads (there are only as
/// many as cores). Handing each call to a thread pool and back costs two thread wake-ups per statement,
/// which on a small machine is as much CPU as the statement itself. As a `TaskExecutor` the pool's threads
/// can instead run whole tasks: a task that prefers this executor (`withTaskExecutorPreference`,
/// `Task(executorPreference:)`, `group.addTask(executorPreference:)`) runs its database calls inline, with no
/// hop at all. `PGPool.withConnection` uses it either way; callers that make many calls in a row can
/// opt in with `pool.executor` to keep them on one thread.
///
/// Jobs enqueued after `shutdown()` go to the global executor, so no task can be stranded.
public final class PGThreadExecutor: TaskExecutor, @unchecked Sendable {
    private enum Item {
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }

    // Guarded by `mutex`; the condition wakes idle threads.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var queue: [Item] = []
    private var head = 0
    private var idleThreads = 0
    private var isShutDown = false
    private var running = 0
    public let threadCount: Int

    /// Starts `threads` threads.
    public init(threads: Int) {
        threadCount = max(1, threads)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        running = threadCount
        for _ in 0..<threadCount { ExecutorThread.start(self, what: "a database thread") { $0.work() } }
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// True when the caller runs on one of this executor's threads.
    public var isCurrentThread: Bool { ExecutorThread.isCurrent(self) }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if !push(.job(unowned)) { globalConcurrentExecutor.enqueue(unowned) }
    }

    /// Runs a plain closure on one of the threads (or nowhere after shutdown: it is dropped).
    public func submit(_ work: @escaping @Sendable () -> Void) {
        _ = push(.closure(work))
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Lets the threads finish what is queued, then stop. Later jobs run on the global executor.
    public func shutdown() {
        pthread_mutex_lock(mutex)
        isShutDown = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    // MARK: Threads

    private func push(_ item: Item) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if isShutDown { return false }
        queue.append(item)
        if idleThreads > 0 { pthread_cond_signal(condition) }
        return true
    }

    private func next() -> Item? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while head == queue.count {
            if isShutDown {
                running -= 1
                return nil
            }
            idleThreads += 1
            pthread_cond_wait(condition, mutex)
            idleThreads -= 1
        }
        let item = queue[head]
        head += 1
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return item
    }

    private func work() {
        let executor = asUnownedTaskExecutor()
        while let item = next() {
            switch item {
            case .job(let job): job.runSynchronously(on: executor)
            case .closure(let closure): closure()
            }
        }
    }
}
