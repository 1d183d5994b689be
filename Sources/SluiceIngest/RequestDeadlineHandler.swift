import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose next request is not fully read within the deadline,
/// counted from when the connection opened or the previous response ended.
///
/// The HTTP server's idle timeout alone does not stop slow-loris clients, which
/// trickle one byte at a time to look busy; this bounds how long any client can
/// hold a connection (and its buffers) without completing a request.
///
/// A request only records when the wait began (a clock read); one timer per
/// connection checks it when it fires and re-arms itself for the newest wait,
/// rather than a timer scheduled and cancelled for every request.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let deadline: TimeAmount
    /// When the connection began waiting for the request now being read; nil
    /// while a complete request is being answered.
    private var waitingSince: NIODeadline?
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
        if case .end = unwrapInboundIn(data) { waitingSince = nil }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { startWaiting(context) }
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
        guard let waitingSince else { return }  // answering a request; the response's end re-arms
        let expires = waitingSince + deadline
        if expires <= .now() {
            context.channel.close(promise: nil)
        } else {
            schedule(context, at: expires)
        }
    }
}
