#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What the pool's own threads (`PGThreadExecutor`, `PGEventLoop`) share: a detached thread that keeps its
/// owner alive while it runs, marked as the owner's so the owner can tell when it is already on its thread.
enum ExecutorThread {
    /// Thread-local: the address of the executor that owns the thread.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body(owner)` on a new thread marked as `owner`'s; `what` names it if the thread cannot start.
    static func start<Owner: AnyObject>(_ owner: Owner, what: String, _ body: @escaping (Owner) -> Void) {
        let run: () -> Void = {
            pthread_setspecific(key, Unmanaged.passUnretained(owner).toOpaque())
            body(owner)
        }
        let context = Unmanaged.passRetained(Box(run)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let created = pthread_create(&thread, &attributes, { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        precondition(created == 0, "cannot start \(what) (pthread_create: \(created))")
    }

    /// True when the caller runs on a thread `start` began for `owner`.
    static func isCurrent(_ owner: AnyObject) -> Bool {
        pthread_getspecific(key) == Unmanaged.passUnretained(owner).toOpaque()
    }

    private final class Box {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }
}
