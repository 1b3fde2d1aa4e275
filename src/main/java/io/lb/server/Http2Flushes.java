package io.lb.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * One write per event-loop turn for an HTTP/2 client connection, however many of its streams were answered in it.
 * Vert.x flushes an HTTP/2 connection after every response it writes outside the connection's own read, and the
 * balancer writes responses as the backends' answers arrive, on their connections' reads: with ten streams in
 * flight on a connection, that was up to ten {@code writev} calls (and, over TLS, ten records) where one carries
 * them all. Netty's {@link FlushConsolidationHandler}, in front of the HTTP/2 handler, defers such a flush to a
 * task that runs when the event loop has handled the rest of the I/O that woke it up, and lets flushes during the
 * connection's own read wait for its end (as Vert.x does). At most {@value #MAX_DEFERRED} flushes are merged.
 */
final class Http2Flushes {

    static final String NAME = "lbHttp2Flushes";
    private static final int MAX_DEFERRED = 64;

    private Http2Flushes() {
    }

    /** Puts the consolidation in front of the connection's HTTP/2 handler (between it and TLS, if any). */
    static void consolidate(ChannelPipeline pipeline) {
        ChannelHandlerContext http2 = pipeline.context(Http2ConnectionHandler.class);
        if (http2 != null && pipeline.get(NAME) == null) {
            pipeline.addBefore(http2.name(), NAME, new FlushConsolidationHandler(MAX_DEFERRED, true));
        }
    }
}
