import Foundation
import JourneyLab

#if canImport(Glibc)
import Glibc
#endif

/// Writes a report to the file `--output` names as a shell's `>` would: through symbolic links (a dangling
/// one creates its target), into FIFOs and devices, and over an existing file in place, so its owner and
/// permissions stay (a private 0600 report stays private). A new file is created 0644 (less the umask).
enum OutputFile {
    /// - Throws: `JourneyLabError.invalidInput` naming `--output` and what to fix.
    static func write(_ text: String, to path: String) throws {
        guard !path.isEmpty else { throw JourneyLabError.invalid("--output is empty: give a file name, e.g. report.html", field: "--output") }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(path, errno) }
        defer { close(descriptor) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure(path, errno)
            }
            bytes = bytes.dropFirst(written)
        }
    }

    private static func failure(_ path: String, _ code: Int32) -> JourneyLabError {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let reason: String
        switch code {
        case EISDIR: reason = "it is a directory: name a file in it, e.g. \(path)/report.html"
        case ENOENT: reason = "the folder \(folder) does not exist"
        case ELOOP: reason = "it is a loop of symbolic links"
        case EACCES, EPERM, EROFS: reason = "it is not writable (check its permissions)"
        case ENOSPC, EDQUOT: reason = "the disk is full"
        default: reason = String(cString: strerror(code))
        }
        return JourneyLabError.invalid("cannot write \(path): \(reason)", field: "--output")
    }
}
