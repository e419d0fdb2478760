import ArgumentParser
import Foundation
import Reports
import Postgres

/// What most commands print: text for a person, or one JSON document for a script. `--help` lists exactly
/// these, and the parser refuses anything else (exit 2).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json

    /// The `--format` help of every command that prints these two.
    static let help: ArgumentHelp = "text for people, json for scripts."
}

/// `hypothesis randomization` also prints a spreadsheet of the list.
enum ListingFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, csv, json
}

/// `report` prints every format the Reports module renders.
extension ReportFormat: ExpressibleByArgument {}

/// Writes command output: exactly one JSON document on stdout for `--format json`; human text on stdout,
/// progress and notes on stderr.
enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        // snake_case like the HTTP API, the report and the journey file. Keys already in snake_case (the report
        // contract's) stay as they are, and so do dictionary keys (they are data: arm, dealer, portrait keys).
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = RFC3339.encoding
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
}
