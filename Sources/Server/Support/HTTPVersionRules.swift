import NIOCore
import NIOHTTP1

/// The rules that depend on a request's HTTP version, which the router never sees (HTTP types drop it). It sits
/// just before the conversion to HTTP types, the last point where the version is known;
/// `HTTPConnectionFaultHandler` adds it there.
///
/// - Host (RFC 9112, section 3.2): an HTTP/1.1 request without a `Host` header, or any request with more than one
///   (also folded into one value, `Host: a, b`), is a 400. The fault goes on to `HTTPConnectionFaultHandler`,
///   which answers it with a problem document; the refused request and anything after it on the connection are
///   dropped, since the connection closes once the 400 is written.
/// - Persistence (RFC 9112, section 9.3): an HTTP/1.0 connection closes after the response unless the request
///   asked for keep-alive. The request is passed on with `Connection: close`, which Hummingbird honours;
///   otherwise it would hold the connection open and a 1.0 client reading to the end would wait for the idle
///   timeout.
final class HTTPVersionRules: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// The fault passed on to `HTTPConnectionFaultHandler`.
    struct Fault: Error {
        var message: String
    }

    private var refusing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refusing { return }
        guard case .head(var head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        if let fault = Self.fault(in: head) {
            refusing = true
            context.fireErrorCaught(fault)
            return
        }
        if head.version.major == 1 && head.version.minor == 0 && !head.isKeepAlive {
            head.headers.replaceOrAdd(name: "Connection", value: "close")
            return context.fireChannelRead(wrapInboundOut(.head(head)))
        }
        context.fireChannelRead(data)
    }

    static func fault(in head: HTTPRequestHead) -> Fault? {
        let hosts = head.headers["Host"]
        if hosts.count > 1 {
            return Fault(message: "the request has \(hosts.count) Host headers: send exactly one")
        }
        if hosts.isEmpty && (head.version.major, head.version.minor) >= (1, 1) {
            return Fault(message: "an HTTP/1.1 request needs a Host header (e.g. Host: journeylab.example:8080)")
        }
        // A host and port hold no blanks: "a, b" is two values folded into one (by a proxy, say).
        if let host = hosts.first, host.contains(where: { $0 == " " || $0 == "\t" }) {
            return Fault(message: "the Host header is not one host name: send exactly one, e.g. Host: journeylab.example:8080")
        }
        return nil
    }
}
