import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Answers the faults of a connection itself — bytes that never become a request, and requests that never
/// finish arriving — with a problem+json document, then closes the connection. Without it Hummingbird answers the
/// first with an empty 400 (the one error of the API that would not be a problem document), and a client that
/// trickles its request a byte at a time would hold the connection for ever (the idle timeout only sees silence).
///
/// - Framing: a header line over 80 KiB, a malformed request line, an invalid or repeated Content-Length,
///   Transfer-Encoding together with Content-Length, NUL in a header, an HTTP/1.1 request without `Host` or any
///   request with two (`HTTPVersionRules`) → 400. Only between requests: when a request
///   is still being read, the error goes on to Hummingbird (inside a body it reaches the route as
///   `HTTPParserError`, a 400 from `Problem.from`).
/// - Time: a request's body must arrive within `readTimeout` of its headers → otherwise the body's reader gets a
///   408 problem as its error (so the route answers it through the usual middleware: logged and counted as 408),
///   nothing more is read, so the route never sees the end of that body and stores nothing, and the connection
///   closes once that answer is written. Headers must arrive
///   within `readTimeout` of their first bytes → otherwise the connection is closed without an answer (NIO's
///   pipelining handler accepts a response only once a request has begun, and such a client is rarely honest).
///
/// When a fault follows a complete request that is still being answered (pipelined), the answer waits for that
/// response's end, so no response is ever written twice or into the middle of another. The timer exists only
/// while a request spans several socket reads: a request that arrives in one read costs no timer.
final class HTTPConnectionFaultHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let readTimeout: TimeAmount
    private var requestsStarted = 0
    private var responsesStarted = 0
    private var responsesEnded = 0
    private var requestOpen = false
    /// Whether a request part was read since the last `channelReadComplete`.
    private var partsRead = false
    private var answered = false
    /// A request body timed out: its route is answering with the 408, after which the connection closes.
    private var closeAfterResponse = false
    /// A fault that arrived while earlier responses were still being written: answered after them.
    private var deferred: Problem?
    /// The deadline of the request now arriving, if it has spanned more than one read.
    private var timer: Scheduled<Void>?
    /// Bumped whenever a request starts or ends, so a timer armed for an earlier one does nothing.
    private var generation = 0

    init(readTimeout: TimeAmount) {
        self.readTimeout = readTimeout
    }

    /// Puts the version rules where the request's HTTP version is still visible: before the conversion to HTTP types.
    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        guard let codec = try? pipeline.handler(type: HTTP1ToHTTPServerCodec.self) else { return }
        try? pipeline.addHandler(HTTPVersionRules(), position: .before(codec))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if answered { return }  // the route must never see the end of a request we answered
        partsRead = true
        switch unwrapInboundIn(data) {
        case .head:
            requestsStarted += 1
            requestOpen = true
            disarm()  // the headers are in; the body gets its own period
        case .body:
            break
        case .end:
            requestOpen = false
            disarm()
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Bytes that produced no part, outside a request, are the start of headers still arriving (or a pipelined
        // request waiting for the previous response; the timer leaves those alone).
        let arriving = requestOpen || !partsRead
        partsRead = false
        if arriving && timer == nil && !answered { arm(context) }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var ended = false
        switch unwrapOutboundIn(data) {
        case .head(var head):
            responsesStarted += 1
            if closeAfterResponse {
                head.headerFields[.connection] = "close"
                return context.write(wrapOutboundOut(.head(head)), promise: promise)
            }
        case .body: break
        case .end:
            responsesEnded += 1
            ended = true
        }
        if ended && closeAfterResponse {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
            written.futureResult.cascade(to: promise)
            return context.writeAndFlush(data, promise: written)
        }
        context.write(data, promise: promise)
        if ended, let problem = deferred, requestsStarted == responsesEnded {
            deferred = nil
            answer(context, problem)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let problem: Problem
        if let parserError = error as? HTTPParserError {
            problem = Problem(
                .badRequest,
                "the request is not valid HTTP/1.1 (\(parserError)): headers at most 80 KiB in all, one Content-Length or chunked encoding")
        } else if let fault = error as? HTTPVersionRules.Fault {
            problem = Problem(.badRequest, fault.message)
        } else {
            return context.fireErrorCaught(error)
        }
        if answered || deferred != nil { return }  // closing; the decoder may report the rest of the bytes too
        guard !requestOpen else { return context.fireErrorCaught(error) }
        guard requestsStarted == responsesEnded else {
            deferred = problem  // after the responses still being written, in order
            return
        }
        answer(context, problem)
    }

    private func arm(_ context: ChannelHandlerContext) {
        let armedFor = generation
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: readTimeout) {
            let (handler, context) = bound.value
            guard handler.generation == armedFor else { return }
            handler.timer = nil
            handler.timedOut(context)
        }
    }

    private func disarm() {
        generation &+= 1
        timer?.cancel()
        timer = nil
    }

    private func timedOut(_ context: ChannelHandlerContext) {
        if answered || deferred != nil { return }
        if !requestOpen && requestsStarted > responsesEnded { return }  // we are the slow side, not the client
        guard requestOpen && responsesStarted < requestsStarted else {
            // Headers still arriving, or a route that has begun its answer already (it does not wait for a body it
            // does not read): no answer can be written here, so just close.
            answered = true
            context.close(promise: nil)
            return
        }
        answered = true
        closeAfterResponse = true
        context.fireErrorCaught(
            Problem(
                .requestTimeout,
                "the request body did not arrive within \(readTimeout.seconds) s of its headers: send the whole request at once"))
        // Should the route not answer (it would have to be ignoring its body's error), close anyway; not too
        // soon, since a busy server may take a moment to run the route.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: max(readTimeout, .seconds(10))) { bound.value.close(promise: nil) }
    }

    private func answer(_ context: ChannelHandlerContext, _ problem: Problem) {
        answered = true
        disarm()
        let body = problem.body(requestID: nil)
        var head = HTTPResponse(status: problem.status)
        head.headerFields[.contentType] = "application/problem+json"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        // The completion runs on this channel's event loop, where the context may be used.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    /// Hummingbird's idle timer closes a connection whose request body stopped arriving: that close becomes the
    /// timeout's 408 (not silence a client cannot tell from a network fault), and while a 408 is on its way any
    /// close waits for it — the connection closes once it is written, or at the fallback.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all, !answered, requestOpen, timer != nil, responsesStarted < requestsStarted {
            if let promise { context.channel.closeFuture.cascade(to: promise) }
            disarm()
            return timedOut(context)
        }
        if mode == .all, closeAfterResponse, responsesEnded < requestsStarted {
            if let promise { context.channel.closeFuture.cascade(to: promise) }
            return
        }
        context.close(mode: mode, promise: promise)
    }
}

extension TimeAmount {
    /// Seconds for messages: "60", "1.5".
    fileprivate var seconds: String {
        nanoseconds % 1_000_000_000 == 0 ? String(nanoseconds / 1_000_000_000) : String(Double(nanoseconds) / 1e9)
    }
}
