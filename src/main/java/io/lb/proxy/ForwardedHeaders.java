package io.lb.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * Tells the backend who the client is: the client's address is appended to {@code X-Forwarded-For} (never
 * replacing what earlier proxies wrote), and {@code X-Forwarded-Proto} / {@code X-Forwarded-Host} describe
 * the request as the client made it.
 */
final class ForwardedHeaders {

    static final String FOR = "X-Forwarded-For";
    static final String PROTO = "X-Forwarded-Proto";
    static final String HOST = "X-Forwarded-Host";

    private ForwardedHeaders() {
    }

    static void apply(HttpServerRequest request, MultiMap outgoing) {
        String client = clientAddress(request.remoteAddress());
        String previous = joined(request.headers(), FOR);
        outgoing.set(FOR, previous == null ? client : previous + ", " + client);
        outgoing.set(PROTO, request.isSSL() ? "https" : "http");
        String host = request.headers().get("Host");
        if (host == null && request.authority() != null) {
            host = request.authority().toString();
        }
        if (host != null) {
            outgoing.set(HOST, host);
        } else {
            outgoing.remove(HOST);
        }
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
