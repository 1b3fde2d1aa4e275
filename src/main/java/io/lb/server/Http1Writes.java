package io.lb.server;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.stream.ChunkedWriteHandler;

/**
 * Writes of an HTTP/1.x client connection go straight to its encoder. On a TLS listener Vert.x puts a
 * {@link ChunkedWriteHandler} in front of the encoder, for {@code sendFile} (which cannot use the kernel's
 * {@code sendfile} through TLS); it queues every write and replays the queue on flush, an allocation and a pass
 * per response. The balancer never sends files on the traffic port, so it goes. Vert.x looks the handler up by name
 * before it touches it (WebSocket and h2c upgrades), so its absence is expected there.
 */
final class Http1Writes {

    private static final String VERTX_CHUNKED_WRITER = "chunkedWriter";

    private Http1Writes() {
    }

    static void direct(ChannelPipeline pipeline) {
        if (pipeline.get(VERTX_CHUNKED_WRITER) instanceof ChunkedWriteHandler) {
            pipeline.remove(VERTX_CHUNKED_WRITER);
        }
    }
}
