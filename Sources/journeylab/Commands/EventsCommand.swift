import ArgumentParser
import Foundation
import JourneyLab
import Postgres

/// `journeylab events import FILE.csv`.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Bulk-load dealer events.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import events from CSV (header: deal_id,type,stage,value,occurred_at,event_id[,dealer_id]).",
            discussion: """
                Idempotent: rows already stored (same event_id, or same deal, type and stage) count as duplicates. \
                Bad rows are listed with their line numbers; by default nothing is stored when any row is bad, \
                with --skip-bad-rows the good rows are stored. Exit status 2 when bad rows kept the file from \
                being stored; 0 when the good rows were stored (with --skip-bad-rows the skipped lines are listed).
                """)
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Store the good rows even when some rows are bad.") var skipBadRows = false
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func validate() throws {
            if file.isEmpty { throw ValidationError("give the CSV file's path, e.g. journeylab events import events.csv") }
        }

        func run() async throws {
            let url = URL(fileURLWithPath: file)
            let skip = skipBadRows
            let showProgress = isatty(STDERR_FILENO) == 1 && format == .text
            let report = try await withPool(database, size: 1) { pool in
                try await EventCSVImporter(pool: pool).importFile(url, actor: AuditLog.cliActor(), skipBadRows: skip) { done, total in
                    guard showProgress, total > 0 else { return }
                    let width = 30
                    let filled = width * done / total
                    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                    FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) rows checked".utf8))
                    if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
                }
            }
            if format == .json {
                try Output.json(report)
            } else {
                Output.line("accepted: \(report.accepted)  duplicates: \(report.duplicates)  rejected: \(report.rejected.count)")
                for row in report.rejected.prefix(100) { Output.line("  line \(row.line): \(row.reason)") }
                if report.rejected.count > 100 { Output.line("  … \(report.rejected.count - 100) more (use --format json)") }
                if !report.merged { ExitStatus.printError("nothing was stored: fix the rows above or pass --skip-bad-rows") }
            }
            // Bad input that stopped the import is exit 2 (nothing stored); rows the user chose to skip are not.
            let stored = report.accepted + report.duplicates
            if report.merged && stored == 0 && !report.rejected.isEmpty && format == .text {
                ExitStatus.printError("nothing was stored: every row is bad; fix the rows above")
            }
            if !report.merged || (stored == 0 && !report.rejected.isEmpty) { throw ExitCode(ExitStatus.badInput) }
            if !report.rejected.isEmpty, format == .text {
                let already = report.duplicates > 0 ? " (\(report.duplicates) of them stored before)" : ""
                Output.note("Kept the \(stored) good row(s)\(already); skipped the \(report.rejected.count) bad row(s) listed above.")
            }
        }
    }
}
