package io.lb.client;

import io.lb.client.BackendClient.RequestListener;
import io.lb.client.ProtocolViolation.Kind;
import io.lb.config.BackendSpec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Context;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;

/**
 * One kept-alive HTTP/1.1 connection to a backend, carrying one exchange at a time (no pipelining). It hands
 * what Netty's codec decodes to the current exchange, on that exchange's Vert.x context.
 * <p>
 * A connection is reused only when it is byte-for-byte clean: any byte while no exchange waits for a response
 * ({@link UnexpectedBytesGuard}), any byte past the framed end of the final response, and any status or framing
 * the decoder or this class refuses, closes it. Such bytes cannot be told apart from the start of the next
 * response, which would then carry them to another client.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter {

    private final ConnectionPool pool;
    private final BackendSpec backend;
    private final ProtocolErrorListener protocolErrors;
    private ResponseDecoder decoder;
    private Channel channel;
    private Http1Exchange current;
    /** The current exchange's final (non-interim) response head was decoded. */
    private boolean finalHead;
    /** The current exchange's final response was decoded to its end: no further byte is expected. */
    private boolean responseEnded;
    /** A violation was seen: nothing more is read, and the connection is closing. */
    private boolean poisoned;
    /** An exchange was given up mid-response: the connection closes, and what still arrives is dropped. */
    private boolean abandoned;
    private long idleSinceNanos;
    private boolean closeReported;
    /** Why the connection failed, if it did: reported to the exchange when the channel closes. */
    private Throwable failure;

    BackendConnection(ConnectionPool pool, BackendSpec backend, ProtocolErrorListener protocolErrors) {
        this.pool = pool;
        this.backend = backend;
        this.protocolErrors = protocolErrors;
    }

    void decoder(ResponseDecoder decoder) {
        this.decoder = decoder;
    }

    BackendRequest start(Context context, HttpMethod method, String uri, RequestListener listener) {
        current = new Http1Exchange(this, context, backend, method, uri, listener);
        finalHead = false;
        responseEnded = false;
        return current;
    }

    Channel channel() {
        return channel;
    }

    boolean usable() {
        return !poisoned && channel != null && channel.isActive()
                && System.nanoTime() - idleSinceNanos < pool.keepAliveNanos();
    }

    void idleSince(long nanos) {
        idleSinceNanos = nanos;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    /** The response being decoded answers a HEAD: it has no body. */
    boolean answersHead() {
        Http1Exchange exchange = current;
        return exchange != null && exchange.isHead();
    }

    /** Whether bytes from the backend are expected now: an exchange waits for (the rest of) its response. */
    boolean awaitsResponseBytes() {
        return current != null && !responseEnded && !poisoned;
    }

    /** Bytes arrived that {@link #awaitsResponseBytes()} did not expect. */
    void unexpectedBytes() {
        if (abandoned) {
            return; // the rest of a response the balancer gave up on, on its way out while the connection closes
        }
        violation(new ProtocolViolation(current == null ? Kind.UNSOLICITED_BYTES : Kind.BYTES_AFTER_RESPONSE, null));
    }

    /** The exchange is over with the connection in a known state: it may carry another one. */
    void recycle(Http1Exchange exchange, boolean keepAlive) {
        if (current != exchange) {
            return;
        }
        current = null;
        channel.config().setAutoRead(true); // the exchange may have paused its (fully received) response
        if (keepAlive && !poisoned && channel.isActive()) {
            pool.release(this);
        } else {
            close();
        }
    }

    /** The exchange gave up: whatever is on the wire is nobody's. */
    void abandon(Http1Exchange exchange) {
        if (current == exchange) {
            current = null;
        }
        abandoned = true;
        close();
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    void reportClosed() {
        if (!closeReported) {
            closeReported = true;
            pool.closed(this);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (poisoned) {
                return;
            }
            Http1Exchange exchange = current;
            if (exchange == null || responseEnded) {
                unexpectedBytes();
                return;
            }
            ProtocolViolation violation = check(msg);
            if (violation != null) {
                violation(violation);
                return;
            }
            if (finalHead && msg instanceof LastHttpContent) {
                responseEnded = true;
                if (decoder.bufferedBytes() > 0) {
                    // the response itself is whole and goes to its client; the connection goes no further
                    violation(new ProtocolViolation(Kind.BYTES_AFTER_RESPONSE, decoder.bufferedBytes() + " bytes"));
                }
            }
            VertxInternals.emit(exchange.context(), msg, exchange.onMessage);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** What the decoder refused, or a final status this client cannot accept. */
    private ProtocolViolation check(Object msg) {
        if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
            Throwable cause = object.decoderResult().cause();
            return new ProtocolViolation(cause instanceof ResponseDecoder.AmbiguousFraming ? Kind.AMBIGUOUS_FRAMING
                    : Kind.MALFORMED_RESPONSE, cause.getMessage());
        }
        if (msg instanceof HttpResponse head) {
            int status = head.status().code();
            if (status < 100 || status > 599) {
                return new ProtocolViolation(Kind.INVALID_STATUS, String.valueOf(status));
            }
            if (status == 101) {
                return new ProtocolViolation(Kind.UNSOLICITED_UPGRADE, null); // this client never asks for one
            }
            finalHead = status >= 200;
        }
        return null;
    }

    /**
     * The connection cannot be trusted any more: it is closed, and the exchange (unless its response was already
     * whole) fails with the violation when the close is seen.
     */
    private void violation(ProtocolViolation violation) {
        if (poisoned) {
            return;
        }
        poisoned = true;
        if (failure == null) {
            failure = violation;
        }
        protocolErrors.protocolError(backend, violation);
        close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Http1Exchange exchange = current;
        if (exchange != null && ctx.channel().isWritable()) {
            VertxInternals.emit(exchange.context(), null, exchange.onWritable);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        reportClosed();
        Http1Exchange exchange = current;
        current = null;
        if (exchange != null) {
            Throwable cause = failure != null ? failure : new HttpClosedException("Connection was closed");
            VertxInternals.emit(exchange.context(), cause, exchange::onConnectionFailed);
        }
    }
}
