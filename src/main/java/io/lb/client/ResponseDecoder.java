package io.lb.client;

import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * Netty's response decoder, told by the connection whether the response answers a HEAD (and so has no body
 * whatever its Content-Length says). Netty's client codec keeps its own queue of request methods instead, and
 * takes a method off it for every response, interim ones included: after a 103 Early Hints the final answer to a
 * HEAD would wait forever for a body.
 */
final class ResponseDecoder extends HttpResponseDecoder {

    private final BackendConnection connection;

    ResponseDecoder(BackendConnection connection) {
        this.connection = connection;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
        boolean interim = message instanceof HttpResponse response && response.status().code() < 200;
        return super.isContentAlwaysEmpty(message) || (!interim && connection.answersHead());
    }
}
