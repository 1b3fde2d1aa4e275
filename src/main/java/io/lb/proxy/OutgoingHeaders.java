package io.lb.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/**
 * The headers a backend is sent, written straight into the backend request's (empty) header map: the client's
 * end-to-end headers but Host (the backend request's authority carries it) and Expect (answered here), plus the
 * X-Forwarded-* headers.
 */
final class OutgoingHeaders {

    private final ForwardedHeaders forwarded;
    /** Backends are spoken to over HTTP/2, where "TE: trailers" may travel (gRPC servers expect it). */
    private final boolean teTrailers;

    OutgoingHeaders(ForwardedHeaders forwarded, boolean teTrailers) {
        this.forwarded = forwarded;
        this.teTrailers = teTrailers;
    }

    void writeRequest(HttpServerRequest request, HostAndPort authority, MultiMap target) {
        write(request, authority, target, teTrailers);
    }

    /** The headers of a WebSocket upgrade, which always travels over HTTP/1.1 (so never with a TE). */
    MultiMap upgrade(HttpServerRequest request, HostAndPort authority) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        write(request, authority, headers, false);
        return headers;
    }

    private void write(HttpServerRequest request, HostAndPort authority, MultiMap target, boolean withTe) {
        HopByHopHeaders.copyEndToEndRequest(request.headers(), target, withTe);
        forwarded.apply(request, authority, target);
    }
}
