package io.lb.server;

import java.util.concurrent.Executor;

import io.lb.metrics.Rejections;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.vertx.core.Vertx;

/**
 * {@code lb.timeout.request-header} on the traffic listener: every accepted connection gets a {@link HeadWatch},
 * in place at once if Vert.x has already set up its HTTP/1.x codec, otherwise once it has.
 */
record RequestHeadTimeout(Vertx vertx, long millis, Rejections rejections) {

    /** Called on the connection's event loop as it is accepted, after Vert.x has set up its pipeline so far. */
    void watch(Channel channel, Executor onContext) {
        HeadWatch watch = new HeadWatch(this, channel, onContext);
        ChannelPipeline pipeline = channel.pipeline();
        ChannelHandlerContext encoder = pipeline.context(HttpResponseEncoder.class);
        if (encoder != null) {
            ClientPipelines.http1(pipeline);
            watch.placeAfter(encoder.name(), false);
        } else {
            pipeline.addLast(new HeadWatchPlacer(watch));
        }
        watch.start();
    }
}
