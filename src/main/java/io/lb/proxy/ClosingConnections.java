package io.lb.proxy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * HTTP/1.1 connections that will be closed once the current response is written, because what the client
 * sends after the current request cannot be trusted to be a request of its own (ambiguous framing). Vert.x
 * may already have parsed a pipelined request behind it; such requests are dropped, never forwarded.
 * The set holds only connections on their way out, so the check on every request is one empty-map read.
 */
final class ClosingConnections {

    private final Map<HttpConnection, Boolean> closing = new ConcurrentHashMap<>();

    /** True if {@code request} arrived on a connection marked for closing: it must not be served. */
    boolean arrivedOnClosingConnection(HttpServerRequest request) {
        return !closing.isEmpty() && closing.containsKey(request.connection());
    }

    /** Marks the request's connection (HTTP/1.x only; an HTTP/2 stream never shares framing). */
    boolean mark(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            return false;
        }
        closing.put(request.connection(), Boolean.TRUE);
        return true;
    }

    /** Closes the request's connection after what was written so far, and forgets it. */
    void close(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        connection.close().onComplete(closed -> closing.remove(connection));
    }
}
