import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client owes a request for longer than the deadline.
///
/// The client owes one while a request it began (head read) has not been read
/// to its end, and while the connection is idle between requests (every request
/// read and answered). The wait starts when the connection opens, when it
/// becomes idle, or when a pipelined request's head arrives while earlier ones
/// are still being answered; only reading a request's end stops it. Writing a
/// response never clears or restarts the wait for a body still unread, so an
/// early answer (401, 413, 415, or `GET` with a body) cannot be used to reset the
/// clock, and a trickling body or header is cut off like an idle connection.
///
/// The HTTP server's idle timeout alone does not stop slow-loris clients, which
/// trickle one byte at a time to look busy; this bounds how long any client can
/// hold a connection (and its buffers) without completing a request.
///
/// A transition only records when the wait began (a clock read); one timer per
/// connection checks it when it fires and re-arms itself for the newest wait,
/// rather than a timer scheduled and cancelled for every request.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let deadline: TimeAmount
    /// When the client began owing the request it has not finished sending (or
    /// the next one, while idle); nil while every request read is complete and
    /// some are still being answered.
    private var waitingSince: NIODeadline?
    /// Requests whose head has been read.
    private var headsRead = 0
    /// Requests whose end has been read.
    private var endsRead = 0
    /// Responses whose end has been written (an early one may precede its request's end).
    private var responsesEnded = 0
    private var timer: Scheduled<Void>?

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startWaiting(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startWaiting(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            headsRead += 1
            // A pipelined head while earlier requests are answered starts its own wait;
            // otherwise the wait that began when the connection opened or went idle goes on.
            if waitingSince == nil { startWaiting(context) }
        case .body:
            break
        case .end:
            endsRead += 1
            // Complete: the server's turn, unless it already answered (early), which leaves the connection idle.
            if responsesEnded >= endsRead { startWaiting(context) } else { waitingSince = nil }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            responsesEnded += 1
            // Idle only when every request read is complete and answered; a body still owed keeps its wait.
            if headsRead == endsRead && responsesEnded >= endsRead { startWaiting(context) }
        }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func startWaiting(_ context: ChannelHandlerContext) {
        waitingSince = .now()
        if timer == nil { schedule(context, at: .now() + deadline) }
    }

    private func schedule(_ context: ChannelHandlerContext, at time: NIODeadline) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: time) {
            let (handler, context) = loopBound.value
            handler.timerFired(context)
        }
    }

    private func timerFired(_ context: ChannelHandlerContext) {
        timer = nil
        guard let waitingSince else { return }  // answering complete requests; the next wait re-arms
        let expires = waitingSince + deadline
        if expires <= .now() {
            context.channel.close(promise: nil)
        } else {
            schedule(context, at: expires)
        }
    }
}
