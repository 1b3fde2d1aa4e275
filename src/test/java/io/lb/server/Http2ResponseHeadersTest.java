package io.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Settings;

/** Netty's own HTTP/2 server handler, as Vert.x builds on it: its encoder's dynamic table stays at size 0. */
class Http2ResponseHeadersTest {

    @Test
    void theEncoderUsesNoDynamicTableEvenAfterTheClientAllowsOne() throws Exception {
        Http2ConnectionHandler http2 = new Http2ConnectionHandlerBuilder().server(true)
                .frameListener(new Http2FrameAdapter()).build();
        EmbeddedChannel channel = new EmbeddedChannel(http2);
        Http2HeadersEncoder.Configuration encoder = http2.encoder().configuration().headersConfiguration();
        assertEquals(4096, encoder.maxHeaderTableSize(), "HPACK's default, as a connection starts");

        Http2ResponseHeaders.withoutDynamicTable(channel.pipeline());
        assertEquals(0, encoder.maxHeaderTableSize());

        http2.encoder().remoteSettings(new Http2Settings().headerTableSize(65_536)); // a browser's SETTINGS
        assertEquals(65_536, encoder.maxHeaderTableSize(), "Netty follows the client's limit");
        channel.flush();
        assertEquals(0, encoder.maxHeaderTableSize(), "set back before what follows is flushed");
        channel.finishAndReleaseAll();
    }

    @Test
    void isPlacedOnceInFrontOfTheHttp2Handler() {
        Http2ConnectionHandler http2 = new Http2ConnectionHandlerBuilder().server(true)
                .frameListener(new Http2FrameAdapter()).build();
        EmbeddedChannel channel = new EmbeddedChannel(http2);
        Http2ResponseHeaders.withoutDynamicTable(channel.pipeline());
        Http2ResponseHeaders.withoutDynamicTable(channel.pipeline());
        var names = channel.pipeline().names();
        assertEquals(Http2ResponseHeaders.NAME, names.get(0));
        assertEquals(1, names.stream().filter(Http2ResponseHeaders.NAME::equals).count(), names.toString());
        assertEquals(http2, channel.pipeline().get(names.get(1)));
        channel.finishAndReleaseAll();
    }
}
