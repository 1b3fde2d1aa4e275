package io.lb.server;

import io.netty.channel.ChannelPipeline;

/** What the balancer changes in a client connection's pipeline once Vert.x has set it up for the protocol. */
final class ClientPipelines {

    private ClientPipelines() {
    }

    static void http1(ChannelPipeline pipeline) {
        Http1Writes.direct(pipeline);
        IdleConnectionClose.replaceVertxs(pipeline);
    }

    static void http2(ChannelPipeline pipeline) {
        Http2Flushes.consolidate(pipeline);
        Http2ResponseHeaders.withoutDynamicTable(pipeline);
        IdleConnectionClose.replaceVertxs(pipeline);
    }
}
