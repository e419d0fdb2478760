// Measures the libpq client against the same work done by PostgreSQL's own tools (scripts/bench/pg.sh).
//   PostgresBenchmark insert URL TASKS SECONDS   → single-row INSERT … ON CONFLICT DO NOTHING through the pool
//   PostgresBenchmark copy URL FILE               → COPY of a tab-separated file through copyIn
// Prints one number: transactions per second, or rows per second.
import Foundation
import Postgres
import Stats
import Synchronization

@main
enum PostgresBenchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 4 else {
            FileHandle.standardError.write(Data("usage: PostgresBenchmark insert URL TASKS SECONDS | copy URL FILE\n".utf8))
            exit(2)
        }
        let configuration = try PGConfiguration(arguments[2])
        switch arguments[1] {
        case "insert":
            let tasks = Int(arguments[3]) ?? 8
            let seconds = Double(arguments.count > 4 ? arguments[4] : "10") ?? 10
            // Two event loops on two cores, like `pgbench -j 2`; EVENT_LOOPS=N to try others.
            let loops = Int(ProcessInfo.processInfo.environment["EVENT_LOOPS"] ?? "") ?? 2
            print(String(format: "%.0f", try await insertRate(configuration, tasks: tasks, seconds: seconds, loops: loops)))
        case "copy":
            print(String(format: "%.0f", try await copyRate(configuration, file: arguments[3], parseRows: false)))
        case "copy-rows":
            print(String(format: "%.0f", try await copyRate(configuration, file: arguments[3], parseRows: true)))
        default:
            exit(2)
        }
    }

    static func insertRate(_ configuration: PGConfiguration, tasks: Int, seconds: Double, loops: Int) async throws -> Double {
        let pool = PGPool(configuration: configuration, options: .init(size: tasks, eventLoops: loops))
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<tasks {
                // On an event loop's thread: each statement is submitted and answered there, with no thread hop.
                group.addTask(executorPreference: pool.eventLoops[task % pool.eventLoops.count]) {
                    var done = 0
                    // A local generator, like pgbench's: the system one costs a syscall per number.
                    var random = SplitMix64(seed: UInt64(task) &+ 0x9E37_79B9)
                    while ContinuousClock.now < deadline {
                        let id = Int64(random.next() % 1_000_000_000) + 1
                        // Prepared, like pgbench -M prepared.
                        try await pool.execute(
                            "INSERT INTO bench_kv (id, v) VALUES ($1::int8, 'x') ON CONFLICT DO NOTHING", [id], planning: .reusable)
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - started
        await pool.shutdown()
        return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// COPY of a tab-separated file: streamed as it is (what `psql \\copy` does), or parsed into rows and
    /// re-escaped by `PGCopyWriter.row` (what an importer that validates fields does).
    static func copyRate(_ configuration: PGConfiguration, file: String, parseRows: Bool) async throws -> Double {
        let pool = PGPool(configuration: configuration, options: .init(size: 1, statementTimeout: nil))
        // Emptied before the clock starts, as pg.sh empties the table before timing psql.
        try await pool.execute("TRUNCATE bench_copy")
        let started = ContinuousClock.now
        let rows = try await pool.withConnection { connection in
            guard let input = FileHandle(forReadingAtPath: file) else { throw PGError(.client, "cannot read \(file)") }
            defer { try? input.close() }
            return try connection.copyIn("COPY bench_copy (id, name, value) FROM STDIN") { writer in
                var carry = Data()  // a line cut by the chunk boundary
                while let chunk = try input.read(upToCount: 1 << 16), !chunk.isEmpty {  // 64 KiB stays in cache
                    if parseRows {
                        var data = carry + chunk
                        if let lastNewline = data.lastIndex(of: 10) {
                            carry = data[data.index(after: lastNewline)...]
                            data = data[..<lastNewline]
                        } else {
                            carry = data
                            continue
                        }
                        for line in data.split(separator: 10) {
                            try writer.row(line.split(separator: 9, omittingEmptySubsequences: false).map {
                                String(decoding: $0, as: UTF8.self)
                            })
                        }
                    } else {
                        try chunk.withUnsafeBytes { try writer.raw($0) }
                    }
                }
            }
        }
        let elapsed = ContinuousClock.now - started
        await pool.shutdown()
        return Double(rows) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
