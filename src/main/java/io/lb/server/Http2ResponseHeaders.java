package io.lb.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2HeadersEncoder;

/**
 * Response headers leave an HTTP/2 client connection encoded without HPACK's dynamic table: each field is an index
 * into the static table or a literal, as HAProxy and NGINX encode theirs. With the table, every response's
 * X-Request-Id (a new value each time) is inserted and evicts an older entry, and a table full of such entries
 * makes every lookup slower: about a microsecond per response (docs/benchmarks.md). What the table saves is a few
 * dozen bytes per response.
 * <p>
 * Netty sizes the table from each SETTINGS the client sends, so the size is set back to 0 at every flush that
 * follows (a check of one field when nothing changed).
 */
final class Http2ResponseHeaders extends ChannelOutboundHandlerAdapter {

    static final String NAME = "lbHttp2ResponseHeaders";

    private final Http2HeadersEncoder.Configuration encoder;

    private Http2ResponseHeaders(Http2HeadersEncoder.Configuration encoder) {
        this.encoder = encoder;
    }

    /** Puts the handler in front of the connection's HTTP/2 handler, whose encoder it configures. */
    static void withoutDynamicTable(ChannelPipeline pipeline) {
        Http2ConnectionHandler http2 = pipeline.get(Http2ConnectionHandler.class);
        if (http2 != null && pipeline.get(NAME) == null) {
            Http2ResponseHeaders handler = new Http2ResponseHeaders(
                    http2.encoder().configuration().headersConfiguration());
            handler.emptyTable();
            pipeline.addBefore(pipeline.context(http2).name(), NAME, handler);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        emptyTable();
        ctx.flush();
    }

    private void emptyTable() {
        if (encoder.maxHeaderTableSize() != 0) {
            try {
                encoder.maxHeaderTableSize(0);
            } catch (Http2Exception impossible) {
                throw new IllegalStateException(impossible); // only a size above HPACK's maximum is refused
            }
        }
    }
}
