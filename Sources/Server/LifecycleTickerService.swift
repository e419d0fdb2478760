import JourneyLab
import Logging
import Postgres
import ServiceLifecycle

/// Hosts the scheduler's lifecycle ticker inside `journeylab serve`: every interval it moves hypotheses
/// scheduled → running, running → ready and running → expired. Safe beside other servers' tickers (each
/// move is a conditional update), and it stops on graceful shutdown.
public struct LifecycleTickerService: Service {
    let ticker: LifecycleTicker
    let interval: Duration

    public init(pool: PGPool, interval: Duration, logger: Logger) {
        ticker = LifecycleTicker(pool: pool, logger: logger)
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await ticker.run(every: interval) }
    }
}
