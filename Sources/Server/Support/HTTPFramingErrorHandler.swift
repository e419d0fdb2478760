import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request the HTTP/1 parser refuses before it becomes a request (a header line over 80 KiB, a
/// malformed request line, an invalid or repeated Content-Length, Transfer-Encoding together with
/// Content-Length, NUL in a header) with a problem+json 400, then closes the connection. Without it
/// Hummingbird answers those with an empty 400, the one error of the API that would not be a problem document.
///
/// Only between requests: when a request is still being read, the error goes on to Hummingbird (inside a body
/// it reaches the route as `HTTPParserError`, a 400 from `Problem.from`). When the bad bytes follow a complete
/// request that is still being answered (pipelined), the 400 waits for that response's end, so no response is
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
    /// A parser error that arrived while earlier responses were still being written: answered after them.
    private var deferred: HTTPParserError?

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
        var ended = false
        if case .end = unwrapOutboundIn(data) {
            responsesEnded += 1
            ended = true
        }
        context.write(data, promise: promise)
        if ended, let error = deferred, requestsStarted == responsesEnded {
            deferred = nil
            answer(context, error)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else { return context.fireErrorCaught(error) }
        if answered || deferred != nil { return }  // closing; the decoder may report the rest of the bytes too
        guard !requestOpen else { return context.fireErrorCaught(error) }
        guard requestsStarted == responsesEnded else {
            deferred = parserError  // after the responses still being written, in order
            return
        }
        answer(context, parserError)
    }

    private func answer(_ context: ChannelHandlerContext, _ parserError: HTTPParserError) {
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
