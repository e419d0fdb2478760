import ArgumentParser
import Foundation
import JourneyLab
import Postgres

/// `journeylab audit [--hypothesis ID] [--journey J]`: who changed what, when, before and after.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the append-only audit log: journey imports, registrations, every status move.")
    @Option(help: "Only this hypothesis.") var hypothesis: String?
    @Option(help: "Only this journey and its hypotheses.") var journey: String?
    @Option(parsing: .unconditional, help: "At most this many rows, newest last.") var limit: Int = 1000
    @OptionGroup var database: DatabaseOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .text

    func validate() throws {
        guard hypothesis == nil || journey == nil else {
            throw ValidationError("--hypothesis and --journey cannot be combined: give one of them")
        }
        guard limit > 0 else { throw ValidationError("--limit must be a positive number of rows, e.g. 100") }
    }

    func run() async throws {
        let (hypothesis, journey, limit) = (self.hypothesis, self.journey, self.limit)
        let entries = try await withPool(database, size: 1) { pool in
            try await pool.withConnection { connection -> [AuditLog.Entry] in
                if let journey {
                    guard try JourneyStore.exists(journey, connection) else {
                        throw JourneyLabError.notFound("no journey \"\(journey)\": `journeylab journey list` shows the keys")
                    }
                    return try AuditLog.entries(connection, journey: journey, limit: limit)
                }
                if let hypothesis {
                    _ = try HypothesisStore.require(hypothesis, connection)
                    return try AuditLog.entries(connection, entityType: "hypothesis", entityKey: hypothesis, limit: limit)
                }
                return try AuditLog.entries(connection, limit: limit)
            }
        }
        if format == .json {
            struct Row: Encodable {
                var id: Int64
                var at: Date
                var actor: String
                var action: String
                var entityType: String
                var entityKey: String
                var before: JSONFragment?
                var after: JSONFragment?
            }
            return try Output.json(
                entries.map {
                    Row(
                        id: $0.id, at: $0.at, actor: $0.actor, action: $0.action, entityType: $0.entityType,
                        entityKey: $0.entityKey,
                        before: $0.before.flatMap(JSONFragment.init(text:)), after: $0.after.flatMap(JSONFragment.init(text:)))
                })
        }
        if entries.isEmpty { return Output.line("No audit rows match.") }
        for entry in entries {
            Output.line(
                "#\(entry.id) \(RFC3339.string(entry.at)) \(entry.actor) \(entry.action) \(entry.entityType) \(entry.entityKey)"
            )
            if let summary = Self.summary(entry) { Output.line("    " + summary) }
        }
    }

    /// A short before → after for status moves; the full JSON is in `--format json`.
    static func summary(_ entry: AuditLog.Entry) -> String? {
        func field(_ text: String?, _ name: String) -> String? {
            guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                return nil
            }
            return object[name] as? String
        }
        if let before = field(entry.before, "status"), let after = field(entry.after, "status") { return "\(before) → \(after)" }
        return nil
    }
}

/// A stored JSON document re-emitted as JSON (not as a string) inside `--format json` output.
struct JSONFragment: Encodable {
    let value: JSONValue
    init?(text: String) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        self.value = value
    }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// Any JSON value. Integers stay integers: a plan's 64-bit seed does not survive a trip through `Double`.
enum JSONValue: Codable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
