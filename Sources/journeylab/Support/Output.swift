import ArgumentParser
import Foundation

/// Output formats. Every command accepts the ones it can produce and refuses the others with exit 2.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, markdown, csv, html
}

/// Writes command output: exactly one JSON document on stdout for `--format json`; human text on stdout,
/// progress and notes on stderr.
enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        var data = try encoder.encode(value)
        data.append(0x0A)
        FileHandle.standardOutput.write(data)
    }

    static func line(_ text: String = "") {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A note for a human (stderr), kept out of machine-readable stdout.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Refuses formats a command cannot produce.
    static func require(_ format: OutputFormat, oneOf allowed: [OutputFormat], command: String) throws {
        guard allowed.contains(format) else {
            throw ValidationError(
                "\(command) cannot print --format \(format.rawValue): use one of \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
    }
}
