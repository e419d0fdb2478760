import CSystemSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs programs that may leave daemons behind (`pg_ctl start`) without waiting on them forever.
public enum Subprocess {
    /// A finished program: exit status (128 + signal when killed) and combined stdout and stderr.
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs a program to completion and returns its status and combined output.
    ///
    /// Uses posix_spawn rather than Foundation's `Process`: `pg_ctl start` leaves a daemon behind that would
    /// inherit `Process`'s exit-monitoring descriptor and make it wait forever. Output goes to a file and
    /// every descriptor above stderr is closed in the child, so the server holds none of ours.
    public static func run(_ executable: URL, _ arguments: [String]) throws -> Result {
        let outputPath = NSTemporaryDirectory() + "journeylab-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).out"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        journeylab_spawn_addclosefrom(&actions, 3)
        // Run from a directory every user can read (postgres cannot stat root's working directory).
        journeylab_spawn_addchdir(&actions, "/")

        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw JourneyLabError(.unavailable, "cannot run \(executable.path): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw JourneyLabError(.unavailable, "lost track of \(executable.path)") }
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return Result(status: exitStatus, output: String(decoding: data, as: UTF8.self))
    }
}
