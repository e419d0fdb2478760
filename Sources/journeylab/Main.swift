import ArgumentParser
import Foundation
import JourneyLab
import Postgres

/// Entry point: runs the command tree and turns every error into a one-line message and an exit status
/// (0 success, 1 runtime failure, 2 bad usage or input).
@main
enum Main {
    static func main() async {
        // Swift repairs invalid UTF-8 in arguments with U+FFFD, which would then be stored as if typed.
        for index in 1..<Int(CommandLine.argc) {
            guard let argument = CommandLine.unsafeArgv[index], String(validatingCString: argument) == nil else { continue }
            // Not echoed: it may be a secret or a URL with a password.
            ExitStatus.printError("argument \(index) is not valid UTF-8: check the terminal's or the script's encoding")
            exit(ExitStatus.badInput)
        }
        if let problem = RepeatedOptionCheck.problem(in: Array(CommandLine.arguments.dropFirst())) {
            ExitStatus.printError(problem + " (see `\(ExitStatus.commandPath()) --help`)")
            exit(ExitStatus.badInput)
        }
        do {
            var command = try JourneyLabCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(ExitStatus.report(error))
        }
    }
}

/// Maps errors to messages and exit statuses.
enum ExitStatus {
    static let runtimeFailure: Int32 = 1
    static let badInput: Int32 = 2

    static func report(_ error: any Error) -> Int32 {
        switch error {
        case let error as JourneyLabError:
            printError(error.message)
            return error.isUsageError ? badInput : runtimeFailure
        case let error as PGError where error.code == .insufficientPrivilege && !error.message.contains("journeylab db"):
            // The app role of `journeylab db grant` may do what the API does and no more.
            printError(
                error.message
                    + ": this database role may only do what the API does; run journey, hypothesis, key and audit commands with the schema owner's --database-url")
            return runtimeFailure
        case let error as PGError where error.code == .invalidConnectionOption:
            printError(error.message + ": correct the --database-url (or JOURNEYLAB_DATABASE_URL)")
            return badInput
        case let error as PGError:
            printError(error.message)
            return runtimeFailure
        case let exit as ExitCode:
            return exit.rawValue
        default:
            let code = JourneyLabCommand.exitCode(for: error)
            if code == .success {
                print(JourneyLabCommand.fullMessage(for: error))
                return 0
            }
            let message = JourneyLabCommand.message(for: error)
            if code == .validationFailure {
                let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
                printError(firstLine + " (see `\(commandPath()) --help`)")
                return badInput
            }
            printError(message)
            return runtimeFailure
        }
    }

    /// The subcommand the arguments name ("journeylab key create"), so a usage error points at its own help.
    static func commandPath(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> String {
        (["journeylab"] + arguments.prefix(commandPathLength(arguments))).joined(separator: " ")
    }

    /// How many leading arguments name subcommands (2 for `key create --name x`).
    static func commandPathLength(_ arguments: [String]) -> Int {
        var command: any ParsableCommand.Type = JourneyLabCommand.self
        var length = 0
        for argument in arguments {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            command = next
            length += 1
        }
        return length
    }

    static func printError(_ message: String) {
        var line = withoutPasswords(message.trimmingCharacters(in: .whitespacesAndNewlines))
        if line.hasPrefix("Error: ") { line.removeFirst(7) }
        FileHandle.standardError.write(Data(("error: " + line + "\n").utf8))
    }

    /// `message` with the password of any argument that is a URL or conninfo replaced by `***`:
    /// swift-argument-parser quotes a misplaced argument as typed, and that may be a database URL.
    static func withoutPasswords(_ message: String, arguments: [String] = CommandLine.arguments) -> String {
        arguments.reduce(message) { PGConfiguration.redactingPassword(of: $1, in: $0) }
    }
}
