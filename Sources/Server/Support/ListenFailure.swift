import JourneyLab
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

extension ServerConfiguration {
    /// The error `journeylab serve` shows when it cannot listen: what went wrong with the host or port and how to
    /// pick another, instead of NIO's `bind(descriptor:ptr:bytes:)` text. Any other error is returned unchanged.
    public func explainingListenFailure(_ error: any Error) -> any Error {
        if error is SocketAddressError || error is SocketAddressError.UnknownHost {
            return JourneyLabError(
                .unavailable, "cannot listen on host \"\(host)\": it does not resolve to an address; use --host 127.0.0.1, 0.0.0.0 or an address of this machine")
        }
        guard let failure = error as? IOError else { return error }
        switch failure.errnoCode {
        case EADDRINUSE:
            return JourneyLabError(
                .unavailable,
                "port \(port) on \(host) is already in use by another program: choose another with --port (or JOURNEYLAB_PORT), or stop that program")
        case EACCES:
            return JourneyLabError(.unavailable, "listening on port \(port) needs privileges this process lacks: use a port above 1023")
        case EADDRNOTAVAIL:
            return JourneyLabError(
                .unavailable, "\(host) is not an address of this machine: use --host 127.0.0.1, 0.0.0.0 or one of its addresses")
        default:
            return error
        }
    }
}
