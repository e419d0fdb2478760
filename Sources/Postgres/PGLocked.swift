#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A value behind a plain pthread mutex.
///
/// For state touched on every statement by many threads (the pool's idle list). The standard library's
/// `Mutex` spins hard under contention on Linux; measured with `perf` on the pool benchmark (8 threads,
/// 2 cores) its slow path took a fifth of the client's CPU. glibc's mutex sleeps instead.
public final class PGLocked<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value; keep it short and never suspend inside.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
