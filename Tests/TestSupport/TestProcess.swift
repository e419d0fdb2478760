import Foundation

/// Runs a program (the built `journeylab`, pg_ctl) and captures its output, for end-to-end tests.
public enum TestProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var standardError: String
    }

    /// Runs to completion. Output is captured through files, so a daemon the program leaves behind
    /// (pg_ctl start) cannot hold the reader open. Waits without blocking a thread: tests run in parallel on
    /// Swift's few cooperative threads, and a blocking wait for a long program (the demo) starves the rest.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: String? = nil
    ) async throws -> Result {
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
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
            try? stdin.fileHandleForWriting.close()
        }
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

    /// A program running in the background (the built server) whose stdout and stderr go to one file.
    public final class Background: @unchecked Sendable {
        // Process is used from the test's task only: launched, read and stopped in sequence.
        let process: Process
        public let logURL: URL

        init(process: Process, logURL: URL) {
            self.process = process
            self.logURL = logURL
        }

        /// Everything the program wrote so far, stdout and stderr interleaved.
        public var log: String { String(decoding: (try? Data(contentsOf: logURL)) ?? Data(), as: UTF8.self) }

        /// Waits until the log matches `pattern` and returns the first match's first capture.
        /// - Throws: when the program exits or `timeout` passes first (the message holds the log's tail).
        public func waitForLog(_ pattern: String, timeout: Duration = .seconds(60)) async throws -> String {
            let regex = try Regex(pattern)
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let text = log
                if let match = try regex.firstMatch(in: text) {
                    return match.output.count > 1 ? String(describing: match.output[1].substring ?? "") : String(match.output[0].substring ?? "")
                }
                if !process.isRunning { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "no \(pattern) in the log:\n\(log.suffix(3000))"])
        }

        /// SIGTERM, then waits for the exit; returns the exit status.
        @discardableResult
        public func stop() -> Int32 {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            return process.terminationStatus
        }

        deinit {
            if process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(at: logURL)
        }
    }

    /// Starts a program in the background with stdout and stderr captured to one file.
    public static func launch(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Background {
        let logURL = FileManager.default.temporaryDirectory.appendingPathComponent("jl-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let handle = try FileHandle(forWritingTo: logURL)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        try process.run()
        return Background(process: process, logURL: logURL)
    }
}
