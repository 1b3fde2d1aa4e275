package io.lb.server;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;

import io.lb.timer.Timeout;
import io.lb.timer.TimerWheel;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * {@code lb.timeout.request-header} for one HTTP/1.x client connection. It sits right behind Netty's HTTP codec, so
 * it sees each request head as the decoder completes it, each request's end, and each response's end on its way
 * out. A head's clock runs from the connection's accept for the first request, and from the first byte of the head
 * for later ones, and only while the client is owed no response: a client waiting for its answer, or idle between
 * requests, is not slow (the idle wait is {@code quarkus.http.idle-timeout}'s). When the clock runs out the client
 * gets 408 and the connection is closed; a connection on which no byte of the request arrived is just closed (a
 * browser's speculative connection is no error to answer).
 * <p>
 * Everything here runs on the connection's event loop. Until Vert.x has set up the HTTP codec (the protocol is
 * known: TLS handshake done, h2c or HTTP/1.x told apart) the watch is not in the pipeline and only its clock runs;
 * {@link HeadWatchPlacer} puts it in place.
 */
final class HeadWatch extends ChannelDuplexHandler {

    static final String NAME = "lbHeadWatch";
    private static final byte[] BODY = "408 Request Timeout: the request head did not arrive in time\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final RequestHeadTimeout settings;
    private final Channel channel;
    /** Runs a task with the connection's Vert.x context current: the timer wheel starts its ticking on it. */
    private final Executor onContext;
    private final Runnable schedule = this::schedule;
    private ChannelHandlerContext ctx;
    /** The decoder has not completed the head of the next request. */
    private boolean awaitingHead = true;
    /** The current head's clock runs: from the accept for the first one. */
    private boolean clockRunning = true;
    /** Some byte of the current head has arrived. */
    private boolean headBytes;
    /** A request ended in this read: what else it held may be the next head, or nothing. */
    private boolean requestEndedThisRead;
    /** Requests whose head was received and whose response has not been written to its end. */
    private int responsesOwed;
    private boolean stopped;
    private Timeout timeout;

    HeadWatch(RequestHeadTimeout settings, Channel channel, Executor onContext) {
        this.settings = settings;
        this.channel = channel;
        this.onContext = onContext;
    }

    /** The connection was accepted: the first head's clock starts. */
    void start() {
        arm();
    }

    /** Vert.x set up the HTTP/1.x codec: the watch goes right behind its encoder, before anything is decoded. */
    void placeAfter(String encoderName, boolean bytesArrived) {
        headBytes |= bytesArrived;
        channel.pipeline().addAfter(encoderName, NAME, this);
    }

    /** The connection speaks something else than HTTP/1.x (HTTP/2, or a protocol switched to), or is gone. */
    void stop() {
        stopped = true;
        if (timeout != null) {
            timeout.cancel();
            timeout = null;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        ctx = context;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        stop();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (msg instanceof HttpRequest) {
            awaitingHead = false;
            clockRunning = false;
            headBytes = false;
            responsesOwed++;
            if (timeout != null) {
                timeout.cancel();
                timeout = null;
            }
        }
        if (msg instanceof LastHttpContent) {
            awaitingHead = true;
            requestEndedThisRead = true;
        }
        context.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (awaitingHead && !requestEndedThisRead) {
            headBytes = true;
            if (!clockRunning) {
                clockRunning = true;
                arm();
            }
        }
        requestEndedThisRead = false;
        context.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext context, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                context.pipeline().remove(this); // a tunnel from now on: no more heads
            }
        } else if (msg instanceof LastHttpContent) {
            if (responsesOwed > 0 && --responsesOwed == 0) {
                arm(); // a head begun while the client waited for its answer is timed from now
            }
        }
        context.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        stop();
        context.fireChannelInactive();
    }

    private void arm() {
        if (!stopped && awaitingHead && clockRunning && responsesOwed == 0 && timeout == null) {
            onContext.execute(schedule);
        }
    }

    private void schedule() {
        timeout = TimerWheel.ofCurrentEventLoop(settings.vertx()).schedule(settings.millis(), this::expired);
    }

    private void expired() {
        timeout = null;
        if (stopped || !awaitingHead || responsesOwed > 0 || !channel.isActive()) {
            return;
        }
        stopped = true;
        settings.rejections().requestHeaderTimeout();
        if (ctx == null || !headBytes) {
            channel.close();
            return;
        }
        ctx.writeAndFlush(requestTimeout()).addListener(ChannelFutureListener.CLOSE);
    }

    private static FullHttpResponse requestTimeout() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(BODY));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, BODY.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }
}
