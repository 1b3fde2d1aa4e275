package io.lb.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;

/**
 * Tells the backend who the client is: the peer's address is appended to {@code X-Forwarded-For} (never
 * replacing what earlier hops wrote, so the last entry is always one the balancer saw itself), and
 * {@code X-Forwarded-Proto} / {@code X-Forwarded-Host} describe the request as the balancer received it,
 * unless the peer is a trusted proxy, whose values are passed on.
 */
final class ForwardedHeaders {

    static final String FOR = "X-Forwarded-For";
    static final String PROTO = "X-Forwarded-Proto";
    static final String HOST = "X-Forwarded-Host";

    private final TrustedProxies trusted;

    ForwardedHeaders(TrustedProxies trusted) {
        this.trusted = trusted;
    }

    void apply(HttpServerRequest request, HostAndPort authority, MultiMap outgoing) {
        String client = clientAddress(request.remoteAddress());
        String previous = joined(request.headers(), FOR);
        outgoing.set(FOR, previous == null ? client : previous + ", " + client);
        boolean fromTrustedProxy = trusted.trusts(request.remoteAddress());
        if (!(fromTrustedProxy && request.headers().contains(PROTO))) {
            outgoing.set(PROTO, request.isSSL() ? "https" : "http");
        }
        if (!(fromTrustedProxy && request.headers().contains(HOST))) {
            String host = hostAsSent(request, authority);
            if (host != null) {
                outgoing.set(HOST, host);
            } else {
                outgoing.remove(HOST);
            }
        }
    }

    private static String hostAsSent(HttpServerRequest request, HostAndPort authority) {
        String header = request.headers().get("Host");
        if (header != null && request.uri().startsWith("/")) {
            return header;
        }
        if (authority == null) {
            return null;
        }
        return authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port();
    }

    private static String joined(MultiMap headers, String name) {
        var values = headers.getAll(name);
        if (values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.get(0) : String.join(", ", values);
    }

    private static String clientAddress(SocketAddress address) {
        if (address == null) {
            return "unknown";
        }
        String host = address.hostAddress();
        return host != null ? host : address.toString();
    }
}
