import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request the HTTP/1 parser refuses before it becomes a request (a header line over 80 KiB, a
/// malformed request line, an invalid or repeated Content-Length, Transfer-Encoding together with
/// Content-Length, NUL in a header) with a problem+json 400, then closes the connection. Without it
/// Hummingbird answers those with an empty 400, the one error of the API that would not be a problem document.
///
/// Only between requests: when a request is still being read or answered, the error goes on to Hummingbird
/// (inside a body it reaches the route as `HTTPParserError`, a 400 from `Problem.from`), so no response is
/// ever written twice or into the middle of another.
final class HTTPFramingErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var requestsStarted = 0
    private var responsesEnded = 0
    private var requestOpen = false
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestsStarted += 1
            requestOpen = true
        case .body:
            break
        case .end:
            requestOpen = false
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { responsesEnded += 1 }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else { return context.fireErrorCaught(error) }
        if answered { return }  // the connection is closing; the decoder may report the rest of the bytes too
        guard !requestOpen, requestsStarted == responsesEnded else { return context.fireErrorCaught(error) }
        answered = true
        let problem = Problem(
            .badRequest,
            "the request is not valid HTTP/1.1 (\(parserError)): headers at most 80 KiB in all, one Content-Length or chunked encoding")
        let body = problem.body(requestID: nil)
        var head = HTTPResponse(status: .badRequest)
        head.headerFields[.contentType] = "application/problem+json"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        // The completion runs on this channel's event loop, where the context may be used.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
