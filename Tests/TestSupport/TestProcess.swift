import Foundation

/// Runs a program (the built `journeylab`, pg_ctl) and captures its output, for end-to-end tests.
public enum TestProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var standardError: String
    }

    /// Runs to completion. Output is captured through files, so a daemon the program leaves behind
    /// (pg_ctl start) cannot hold the reader open.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: String? = nil
    ) throws -> Result {
        let directory = FileManager.default.temporaryDirectory
        let id = UUID().uuidString
        let outURL = directory.appendingPathComponent("jl-\(id).out")
        let errURL = directory.appendingPathComponent("jl-\(id).err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            output: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
            standardError: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }

    /// The built `journeylab` binary next to the test bundle (`.build/debug/journeylab`).
    public static var journeylabBinary: String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["JOURNEYLAB_BINARY"] { return explicit }
        // Tests/TestSupport/TestProcess.swift → repository root → .build/debug/journeylab
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/journeylab").path
    }
}
