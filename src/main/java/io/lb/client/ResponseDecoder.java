package io.lb.client;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.AsciiString;

/**
 * Netty's response decoder, told by the connection whether the response answers a HEAD (and so has no body
 * whatever its Content-Length says). Netty's client codec keeps its own queue of request methods instead, and
 * takes a method off it for every response, interim ones included: after a 103 Early Hints the final answer to a
 * HEAD would wait forever for a body.
 * <p>
 * The headers go straight into Vert.x' header map (validated as they are added, as Netty's own would be): it is
 * a {@code MultiMap} already, and it is what the client's response is made of, so relaying a head copies
 * entries between two maps of one kind, without converting names or wrapping entries.
 */
final class ResponseDecoder extends HttpResponseDecoder {

    private static final HttpHeadersFactory VERTX_HEADERS = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return VertxInternals.newHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return VertxInternals.newHeaders();
        }
    };

    private final BackendConnection connection;

    ResponseDecoder(BackendConnection connection) {
        super(new HttpDecoderConfig().setHeadersFactory(VERTX_HEADERS));
        this.connection = connection;
    }

    @Override
    protected AsciiString splitHeaderName(byte[] bytes, int start, int length) {
        AsciiString known = KnownHeaderNames.lookUp(bytes, start, length);
        return known != null ? known : super.splitHeaderName(bytes, start, length);
    }

    /** Bytes received and not yet decoded: past the end of a response, there must be none. */
    int bufferedBytes() {
        return actualReadableBytes();
    }

    /** Netty would drop the Content-Length and frame by chunks; two framings are refused instead, as Envoy does. */
    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new AmbiguousFraming();
    }

    /** Thrown while the head is decoded: Netty turns it into a failed decoder result. */
    static final class AmbiguousFraming extends IllegalArgumentException {
        AmbiguousFraming() {
            super("Content-Length and Transfer-Encoding: chunked together", null);
        }
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
        boolean interim = message instanceof HttpResponse response && response.status().code() < 200;
        return super.isContentAlwaysEmpty(message) || (!interim && connection.answersHead());
    }
}
