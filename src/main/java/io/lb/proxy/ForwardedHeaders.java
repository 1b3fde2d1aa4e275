package io.lb.proxy;

import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpConnection;
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
    // looked up in lower case: any case matches on HTTP/1.x, and an HTTP/2 request's map would lower-case a copy
    private static final AsciiString FOR_NAME = AsciiString.cached("x-forwarded-for");
    private static final AsciiString PROTO_NAME = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString HOST_NAME = AsciiString.cached("x-forwarded-host");

    private final TrustedProxies trusted;

    ForwardedHeaders(TrustedProxies trusted) {
        this.trusted = trusted;
    }

    void apply(HttpServerRequest request, HostAndPort authority, MultiMap outgoing) {
        // the connection's view, not the request's: the routing context's request wrapper would compute its
        // forwarded view of the request (strings and all) first
        HttpConnection connection = request.connection();
        SocketAddress peer = connection.remoteAddress();
        String client = clientAddress(peer);
        String previous = joined(request.headers(), FOR_NAME);
        outgoing.set(FOR, previous == null ? client : previous + ", " + client);
        boolean fromTrustedProxy = trusted.trusts(peer);
        if (!(fromTrustedProxy && request.headers().contains(PROTO_NAME))) {
            outgoing.set(PROTO, connection.isSsl() ? "https" : "http");
        }
        if (!(fromTrustedProxy && request.headers().contains(HOST_NAME))) {
            String host = hostAsSent(request, authority);
            if (host != null) {
                outgoing.set(HOST, host);
            } else {
                outgoing.remove(HOST);
            }
        }
    }

    private static String hostAsSent(HttpServerRequest request, HostAndPort authority) {
        String header = request.headers().get(HttpHeaders.HOST);
        if (header != null && request.uri().startsWith("/")) {
            return header;
        }
        if (authority == null) {
            return null;
        }
        return authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port();
    }

    private static String joined(MultiMap headers, CharSequence name) {
        if (!headers.contains(name)) {
            return null; // the usual case: no list is allocated
        }
        var values = headers.getAll(name);
        return values.size() == 1 ? values.get(0) : String.join(", ", values);
    }

    /**
     * The client as the balancer may believe it: the peer, or, when the peer is a trusted proxy, the rightmost
     * X-Forwarded-For entry that is not one (a client can write anything to the left of what its proxies add).
     */
    String originalClient(HttpServerRequest request) {
        SocketAddress peer = request.connection().remoteAddress();
        String client = clientAddress(peer);
        if (!trusted.trusts(peer)) {
            return client;
        }
        String forwarded = joined(request.headers(), FOR_NAME);
        if (forwarded == null) {
            return client;
        }
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (!hop.isEmpty() && !trusted.trusts(hop)) {
                return hop;
            }
        }
        return client;
    }

    private static String clientAddress(SocketAddress address) {
        if (address == null) {
            return "unknown";
        }
        // host() is the textual address, made once per connection; hostAddress() formats it again on every
        // call (InetAddress.getHostAddress). host() can be a name, though, so it is used only when it is an
        // IP literal: IPv6 (has ':') or IPv4 (only digits and dots; no host name is all digits and dots).
        String host = address.host();
        if (host != null && isIpLiteral(host)) {
            return host;
        }
        String hostAddress = address.hostAddress();
        return hostAddress != null ? hostAddress : address.toString();
    }

    static boolean isIpLiteral(String host) {
        if (host.isEmpty()) {
            return false;
        }
        if (host.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }
}
