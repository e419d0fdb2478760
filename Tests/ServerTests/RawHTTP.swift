import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Plain TCP sockets to the server under test, for requests no HTTP client would send.
enum RawHTTP {
    struct Failure: Error { var what: String }

    /// A blocking TCP socket connected to 127.0.0.1:`port`; the caller closes it.
    static func connect(port: Int, receiveTimeout seconds: Int = 30) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(what: "socket") }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(what: "connect")
        }
        return fd
    }

    /// Sends `bytes` to 127.0.0.1:`port` and returns what comes back until the server closes or 30 s pass. The
    /// blocking socket calls run on a Dispatch thread: on the cooperative pool (two threads on a two-core machine)
    /// they would starve the server under test and the rest of the parallel suite.
    static func exchange(port: Int, _ bytes: [UInt8]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingExchange(port: port, bytes) })
            }
        }
    }

    /// Sends `pieces` one at a time with `pauseMilliseconds` between them — a client trickling its request —
    /// and returns what comes back until the server closes. With `stopOnAnswer` it stops sending once the server
    /// answers or closes; without, it sends every piece first (a client that does not look before it writes).
    static func trickle(port: Int, _ pieces: [[UInt8]], pauseMilliseconds: Int32, stopOnAnswer: Bool = true) async throws
        -> String
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        let fd = try connect(port: port)
                        defer { close(fd) }
                        for piece in pieces {
                            let n = piece.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                            if n <= 0 { break }
                            guard stopOnAnswer else {
                                usleep(useconds_t(pauseMilliseconds) * 1000)
                                continue
                            }
                            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                            if poll(&ready, 1, pauseMilliseconds) != 0 { break }  // an answer, a close or an error
                        }
                        return readToClose(fd)
                    })
            }
        }
    }

    private static func blockingExchange(port: Int, _ bytes: [UInt8]) throws -> String {
        let fd = try connect(port: port)
        defer { close(fd) }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may answer and close before reading everything
            sent += n
        }
        return readToClose(fd)
    }

    private static func readToClose(_ fd: Int32) -> String {
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}

