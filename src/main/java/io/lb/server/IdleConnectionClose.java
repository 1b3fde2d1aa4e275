package io.lb.server;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * Tells a client connection's handlers that it has neither read nor written anything for
 * {@code quarkus.http.idle-timeout}, in place of the {@link IdleStateHandler} Vert.x gives every connection, and
 * with the same event (on which Vert.x closes the connection). Netty's handler reads the clock after every read
 * and adds a listener, which reads it again, to the promise of every write: an HTTP/2 connection writes two frames
 * per response. This one marks a read or a write with a field, and looks at the mark {@value #CHECKS} times per
 * timeout: the event comes between the timeout and a {@value #CHECKS}th of it later.
 *
 * <p>A write counts when it is handed on, not when the kernel has taken it; writes of a response to a client that
 * stopped reading stop with it (the relays wait for the connection to be writable), so such a client is still
 * closed. Replaced only when Vert.x' handler watches all activity alone (no read-only or write-only timeout).
 */
final class IdleConnectionClose extends ChannelDuplexHandler implements Runnable {

    private static final String VERTX_IDLE = "idle";
    private static final int CHECKS = 4;

    private final long checkNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> check;
    private boolean active;
    private int quietChecks;

    private IdleConnectionClose(long timeoutMillis) {
        this.checkNanos = Math.max(1, TimeUnit.MILLISECONDS.toNanos(timeoutMillis) / CHECKS);
    }

    /** Takes the place of Vert.x' idle handler on this connection, if it has one that watches all activity alone. */
    static void replaceVertxs(ChannelPipeline pipeline) {
        if (pipeline.get(VERTX_IDLE) instanceof IdleStateHandler vertxs && vertxs.getReaderIdleTimeInMillis() == 0
                && vertxs.getWriterIdleTimeInMillis() == 0 && vertxs.getAllIdleTimeInMillis() > 0) {
            pipeline.replace(VERTX_IDLE, VERTX_IDLE, new IdleConnectionClose(vertxs.getAllIdleTimeInMillis()));
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        schedule();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        active = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        active = true;
        ctx.write(msg, promise);
    }

    /** One look at the mark. */
    @Override
    public void run() {
        check = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (active) {
            active = false;
            quietChecks = 0;
        } else if (++quietChecks >= CHECKS) {
            ctx.fireUserEventTriggered(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT);
            return;
        }
        schedule();
    }

    private void schedule() {
        check = ctx.executor().schedule(this, checkNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        ScheduledFuture<?> scheduled = check;
        check = null;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }
}
