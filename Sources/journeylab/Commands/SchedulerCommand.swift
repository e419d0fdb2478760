import ArgumentParser
import Foundation
import JourneyLab
import Logging

/// `journeylab scheduler tick`: one pass of the lifecycle ticker (the server runs it periodically).
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Run the hypothesis lifecycle: start scheduled hypotheses, mark them ready or expired.",
        subcommands: [Tick.self]
    )

    struct Tick: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make every lifecycle move that is due now (safe to run from several processes at once).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            // The moves are this command's output; the ticker's own log lines are for the server.
            var logger = Logger(label: "journeylab.scheduler")
            logger.logLevel = .warning
            let quiet = logger
            let moves = try await withPool(database, size: 1) { pool in try await LifecycleTicker(pool: pool, logger: quiet).tick() }
            struct Report: Encodable { var moves: [LifecycleTicker.Move] }
            if format == .json { return try Output.json(Report(moves: moves)) }
            if moves.isEmpty { return Output.line("No lifecycle move is due.") }
            for move in moves {
                Output.line("\(move.hypothesisKey): \(move.from.rawValue) → \(move.to.rawValue) (\(move.reason))")
            }
        }
    }
}
