import ArgumentParser
import Foundation
import JourneyLab
import Postgres
import Reports

/// `journeylab key create | list | revoke`.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Manage API keys for the HTTP API (dealer, analyst, admin).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print its secret (shown only this once; only its hash is stored).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "dealer, analyst or admin") var role: Principal.Role
        @Option(help: "The dealer's id (dealer keys only).") var dealer: String?
        @Option(help: "A name to recognise the key by.") var name: String
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func validate() throws {
            if role == .dealer, dealer == nil { throw ValidationError("--role dealer needs --dealer with the dealer's id") }
            if role != .dealer, dealer != nil { throw ValidationError("--dealer applies only to --role dealer") }
        }

        func run() async throws {
            let (role, dealer, name) = (role, dealer, name)
            let created = try await withPool(database, size: 1) { pool in
                try await pool.withConnection {
                    try APIKeys.create(role: role, dealerID: dealer, name: name, actor: AuditLog.cliActor(), $0)
                }
            }
            if format == .json { return try Output.json(created) }
            Output.line("id:     \(created.id)")
            Output.line("secret: \(created.secret)")
            Output.note("Store the secret now: it is not shown again. Send it as `Authorization: Bearer <secret>`.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            let keys = try await withPool(database, size: 1) { pool in try await pool.withConnection { try APIKeys.list($0) } }
            if format == .json { return try Output.json(keys) }
            if keys.isEmpty { return Output.line("No keys yet: create one with `journeylab key create`.") }
            let rows = keys.map { key in
                [key.id, key.role.rawValue, key.dealerID ?? "-", key.name, key.revokedAt.map { "revoked " + RFC3339.string($0) } ?? "active"]
            }
            for line in TextTable.lines([["id", "role", "dealer", "name", "state"]] + rows) { Output.line(line) }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: requests with it get 401 from now on.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The key id (key_…), or the key's secret (jl_…) when that is all you have; a secret is never printed.")
        var id: String
        @Option(help: OutputFormat.help) var format: OutputFormat = .text

        func run() async throws {
            let id = id
            let key = try await withPool(database, size: 1) { pool in
                try await pool.withConnection { try APIKeys.revoke(id, actor: AuditLog.cliActor(), $0) }
            }
            if format == .json { return try Output.json(key) }
            // The time it was revoked: a key revoked before keeps its first time, which this shows.
            Output.line("Revoked \(key.id) (\(key.name)) at \(key.revokedAt.map(RFC3339.string) ?? "?").")
        }
    }
}

extension Principal.Role: ExpressibleByArgument {}
