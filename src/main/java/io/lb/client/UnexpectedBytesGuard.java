package io.lb.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits in front of the response decoder (behind TLS, so that it sees the HTTP bytes): bytes that arrive when no
 * exchange is waiting for a response never reach the decoder, where they would wait to be read as the start of
 * the next request's response. The connection is closed instead.
 */
final class UnexpectedBytesGuard extends ChannelInboundHandlerAdapter {

    private final BackendConnection connection;

    UnexpectedBytesGuard(BackendConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable() && !connection.awaitsResponseBytes()) {
            ReferenceCountUtil.release(msg);
            connection.unexpectedBytes();
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
