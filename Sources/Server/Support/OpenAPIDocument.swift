import Foundation
import JourneyLab

/// The repository's `openapi.yaml`, found like the migrations: `JOURNEYLAB_OPENAPI`, else beside a parent of the
/// executable (build tree or install prefix), else the source checkout this binary was built from.
public struct OpenAPIDocument: Sendable {
    public let url: URL

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        url = Self.locate(environment: environment)
    }

    public static func locate(environment: [String: String]) -> URL {
        if let explicit = environment["JOURNEYLAB_OPENAPI"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        let manager = FileManager.default
        var candidate = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            for relative in ["openapi.yaml", "share/journeylab/openapi.yaml"] {
                let file = candidate.appendingPathComponent(relative)
                if manager.fileExists(atPath: file.path) { return file }
            }
            candidate = candidate.deletingLastPathComponent()
        }
        // Sources/Server/Support/OpenAPIDocument.swift → repository root.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("openapi.yaml")
    }

    /// The file's bytes.
    /// - Throws: `JourneyLabError.unavailable` when the file is missing.
    public func contents() throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw JourneyLabError(.internalFailure, "openapi.yaml not found at \(url.path): set JOURNEYLAB_OPENAPI")
        }
    }
}
