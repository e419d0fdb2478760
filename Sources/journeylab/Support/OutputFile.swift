import Foundation
import JourneyLab

/// Writes a report to the file `--output` names, the way a user expects a file to be written.
///
/// A regular file (or a new one) is replaced atomically, so a reader never sees half a report; through a
/// symbolic link the file it points to is replaced, not the link. Anything else that exists — a FIFO, a
/// device — is written to in place (replacing it would put a regular file where `/dev/stdout` or a pipe was).
/// A directory is refused with a message that says so.
enum OutputFile {
    /// - Throws: `JourneyLabError.invalidInput` naming `--output` and what to fix.
    static func write(_ text: String, to path: String) throws {
        let manager = FileManager.default
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var isDirectory: ObjCBool = false
        let exists = manager.fileExists(atPath: target, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue {
            throw JourneyLabError.invalid("--output \(path) is a directory: name a file in it, e.g. \(path)/report.html", field: "--output")
        }
        let type = exists ? (try? manager.attributesOfItem(atPath: target)[.type] as? FileAttributeType) : nil
        do {
            if let type, type != .typeRegular {
                guard let handle = FileHandle(forWritingAtPath: target) else {
                    throw JourneyLabError.invalid("cannot open \(path) for writing: check its permissions", field: "--output")
                }
                defer { try? handle.close() }
                try handle.write(contentsOf: Data(text.utf8))
            } else {
                try text.write(toFile: target, atomically: true, encoding: .utf8)
            }
        } catch let error as JourneyLabError {
            throw error
        } catch {
            let folder = URL(fileURLWithPath: target).deletingLastPathComponent().path
            let reason = manager.fileExists(atPath: folder) ? "check that it is writable (and the disk not full)" : "the folder \(folder) does not exist"
            throw JourneyLabError.invalid("cannot write \(path): \(reason)", field: "--output")
        }
    }
}
