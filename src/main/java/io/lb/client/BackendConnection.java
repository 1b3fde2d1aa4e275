package io.lb.client;

import io.lb.config.BackendSpec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.impl.ContextInternal;

/**
 * One kept-alive HTTP/1.1 connection to a backend, carrying one exchange at a time (no pipelining). It hands
 * what Netty's codec decodes to the current exchange, on that exchange's Vert.x context.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter {

    private final ConnectionPool pool;
    private Channel channel;
    private Http1Exchange current;
    private long idleSinceNanos;
    private boolean closeReported;
    /** Why the connection failed, if it did: reported to the exchange when the channel closes. */
    private Throwable failure;

    BackendConnection(ConnectionPool pool) {
        this.pool = pool;
    }

    BackendRequest start(ContextInternal context, BackendSpec backend, HttpMethod method, String uri) {
        current = new Http1Exchange(this, context, backend, method, uri);
        return current;
    }

    Channel channel() {
        return channel;
    }

    boolean usable() {
        return channel != null && channel.isActive() && System.nanoTime() - idleSinceNanos < pool.keepAliveNanos();
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

    /** The exchange is over with the connection in a known state: it may carry another one. */
    void recycle(Http1Exchange exchange, boolean keepAlive) {
        if (current != exchange) {
            return;
        }
        current = null;
        channel.config().setAutoRead(true); // the exchange may have paused its (fully received) response
        if (keepAlive && channel.isActive()) {
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
        Http1Exchange exchange = current;
        if (exchange == null) {
            // nothing was asked: a backend talking out of turn cannot be trusted with the next request
            ReferenceCountUtil.release(msg);
            close();
            return;
        }
        try {
            if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
                failure = object.decoderResult().cause();
                close();
                return;
            }
            exchange.context().emit(msg, exchange.onMessage);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Http1Exchange exchange = current;
        if (exchange != null && ctx.channel().isWritable()) {
            exchange.context().emit(null, exchange.onWritable);
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
            exchange.context().emit(cause, exchange::onConnectionFailed);
        }
    }
}
