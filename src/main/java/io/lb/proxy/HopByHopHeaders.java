package io.lb.proxy;

import java.util.Locale;
import java.util.Set;

import io.vertx.core.MultiMap;

/**
 * Copies headers from one hop to the next, leaving out those that describe only the connection they came
 * on (RFC 9110 §7.6.1): the fixed list plus every header the {@code Connection} header names.
 */
final class HopByHopHeaders {

    private static final Set<String> ALWAYS = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHopHeaders() {
    }

    static void copyEndToEnd(MultiMap from, MultiMap to) {
        Set<String> namedByConnection = namedByConnection(from);
        from.forEach(header -> {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!ALWAYS.contains(name) && !namedByConnection.contains(name)) {
                to.add(header.getKey(), header.getValue());
            }
        });
    }

    static boolean isHopByHop(String name) {
        return ALWAYS.contains(name.toLowerCase(Locale.ROOT));
    }

    private static Set<String> namedByConnection(MultiMap headers) {
        var connectionValues = headers.getAll("connection");
        if (connectionValues.isEmpty()) {
            return Set.of();
        }
        var names = new java.util.HashSet<String>();
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
