package io.lb.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;

/**
 * Stays at the end of a new connection's pipeline until Vert.x has told which protocol the client speaks, then
 * puts the connection's {@link HeadWatch} behind the HTTP/1.x codec (before the codec has decoded a byte, and with
 * its writes made direct, {@link Http1Writes}), or stops it for HTTP/2 (whose flushes it consolidates,
 * {@link Http2Flushes}, and whose response headers it keeps out of HPACK's dynamic table,
 * {@link Http2ResponseHeaders}); either way the connection's idle timeout becomes a cheaper one
 * ({@link IdleConnectionClose}). Vert.x sets its codec up while the first bytes pass (h2c detection, TLS handshake),
 * appending handlers: staying last keeps this one ahead of whatever it appends.
 */
final class HeadWatchPlacer extends ChannelInboundHandlerAdapter {

    private final HeadWatch watch;

    HeadWatchPlacer(HeadWatch watch) {
        this.watch = watch;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ChannelPipeline pipeline = ctx.pipeline();
        ChannelHandlerContext encoder = pipeline.context(HttpResponseEncoder.class);
        // Removed before the bytes go on: what they set off may reshape the pipeline (an h2c upgrade removes every
        // HTTP/1.x handler), and a removed context still passes them on.
        if (encoder != null) {
            ClientPipelines.http1(pipeline);
            watch.placeAfter(encoder.name(), true);
            pipeline.remove(this);
            ctx.fireChannelRead(msg);
        } else if (pipeline.context(Http2ConnectionHandler.class) != null) {
            watch.stop();
            ClientPipelines.http2(pipeline);
            pipeline.remove(this);
            ctx.fireChannelRead(msg);
        } else if (pipeline.last() != this) {
            // Detection was set up behind this handler (after a PROXY protocol header): get behind it again. The
            // bytes go on from here, through it, to the new placer.
            pipeline.remove(this);
            pipeline.addLast(new HeadWatchPlacer(watch));
            ctx.fireChannelRead(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        watch.stop();
        ctx.fireChannelInactive();
    }
}
