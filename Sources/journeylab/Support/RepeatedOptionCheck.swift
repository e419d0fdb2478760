import ArgumentParser
import Foundation

/// Refuses a single-value option given more than once. swift-argument-parser keeps the last value
/// (`--format json --format text` runs as text), so a script with a stale option, or a pasted line with a
/// second `--database-url`, would silently run with whichever came last.
///
/// Which options take one value, which repeat and which are flags comes from the parser's own description of the
/// command (`--experimental-dump-help`), so custom names and option groups are covered with no list to keep.
enum RepeatedOptionCheck {
    /// A message naming the first single-value option given more than once in `arguments` (without the program
    /// name), or nil. Values are not echoed: one may be a password in a URL.
    static func problem(in arguments: [String]) -> String? {
        let path = ExitStatus.commandPathLength(arguments)
        let rest = arguments.dropFirst(path)
        if rest.contains(where: { ["--help", "-h", "--experimental-dump-help", "--version"].contains($0) }) { return nil }
        guard let options = optionNames(forCommandAt: Array(arguments.prefix(path))) else { return nil }
        var seen: [String: Int] = [:]
        var index = rest.startIndex
        while index < rest.endIndex {
            let token = rest[index]
            index += 1
            if token == "--" { break }
            guard token.hasPrefix("-"), token.count > 1 else { continue }
            let name = String(token.prefix { $0 != "=" })
            guard let option = options[name] else { continue }
            // `--name value`: the next token is the value, whatever it looks like.
            if !token.contains("=") { index += 1 }
            guard !option.repeats else { continue }
            seen[option.canonical, default: 0] += 1
            if seen[option.canonical] == 2 {
                return "\(option.canonical) is given more than once: give it once (only the last would count)"
            }
        }
        return nil
    }

    struct Option {
        /// The name messages use: the long name when there is one.
        var canonical: String
        var repeats: Bool
    }

    /// Every spelling (`--format`, `-f`) of the options that take a value, for the command the path names.
    static func optionNames(forCommandAt path: [String]) -> [String: Option]? {
        let dump: String
        do {
            _ = try JourneyLabCommand.parseAsRoot(path + ["--experimental-dump-help"])
            return nil
        } catch {
            dump = JourneyLabCommand.fullMessage(for: error)
        }
        guard let info = try? JSONDecoder().decode(ToolDump.self, from: Data(dump.utf8)) else { return nil }
        var options: [String: Option] = [:]
        for argument in info.command.arguments ?? [] where argument.kind == "option" {
            let spellings = (argument.names ?? []).map { ($0.kind == "short" ? "-" : "--") + $0.name }
            guard let canonical = spellings.first(where: { $0.hasPrefix("--") }) ?? spellings.first else { continue }
            for spelling in spellings {
                options[spelling] = Option(canonical: canonical, repeats: argument.isRepeating ?? false)
            }
        }
        return options
    }

    /// The part of swift-argument-parser's `--experimental-dump-help` JSON read here.
    private struct ToolDump: Decodable {
        struct Command: Decodable { var arguments: [Argument]? }
        struct Argument: Decodable {
            var kind: String
            var names: [Name]?
            var isRepeating: Bool?
        }
        struct Name: Decodable {
            var kind: String
            var name: String
        }
        var command: Command
    }
}
