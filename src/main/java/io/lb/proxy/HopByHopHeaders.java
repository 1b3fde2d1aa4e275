package io.lb.proxy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.netty.util.AsciiString;
import io.lb.client.KnownHeaderNames;
import io.lb.client.VertxInternals;
import io.vertx.core.MultiMap;

/**
 * Copies headers from one hop to the next, leaving out those that describe only the connection they came
 * on (RFC 9110 §7.6.1): the fixed list plus every header the {@code Connection} header names.
 *
 * <p>This runs twice per proxied exchange (request and response), so it compares names case-insensitively in
 * place instead of lower-casing a copy of every header name (see docs/benchmarks.md, profile findings).
 */
final class HopByHopHeaders {

    /** Looked up as an {@code AsciiString}, whose hash is computed once, not on every look-up. */
    private static final AsciiString CONNECTION = AsciiString.cached("connection");

    private HopByHopHeaders() {
    }

    static void copyEndToEnd(MultiMap from, MultiMap to) {
        copy(from, to, false, false);
    }

    /**
     * As {@link #copyEndToEnd}, for a request on its way to a backend: also without {@code Host} (the backend
     * request's authority carries it) and {@code Expect} (the balancer answers it itself). With
     * {@code teTrailers} (HTTP/2 backends), a client's {@code TE} that accepts trailers goes on as
     * {@code TE: trailers}, the one hop-by-hop field an HTTP/2 request may carry (RFC 9113 §8.2.2) and one gRPC
     * servers expect; the balancer relays trailers, so it may say so. On HTTP/1.1 it would need a
     * {@code Connection: TE} of its own (RFC 9110 §10.1.4), so there it is dropped like any hop-by-hop field.
     */
    static void copyEndToEndRequest(MultiMap from, MultiMap to, boolean teTrailers) {
        copy(from, to, true, teTrailers);
    }

    private static void copy(MultiMap from, MultiMap to, boolean request, boolean teTrailers) {
        List<String> namedByConnection = namedByConnection(from);
        boolean lowerCase = VertxInternals.lowersNames(to);
        for (var headers = entries(from); headers.hasNext();) {
            Map.Entry<? extends CharSequence, ? extends CharSequence> header = headers.next();
            CharSequence name = header.getKey();
            if (isHopByHop(name)) {
                if (teTrailers && name.length() == 2 && listsToken(header.getValue().toString(), "trailers")) {
                    to.add(name, "trailers");
                }
            } else if (!(request && isAnsweredByTheBalancer(name)) && !named(namedByConnection, name)) {
                to.add(lowerCase ? KnownHeaderNames.inLowerCase(name) : name, header.getValue());
            }
        }
    }

    /**
     * The headers as the decoder stored them. Vert.x' own header map (what Netty's decoders fill for both the
     * client's request and a backend's response) hands out its entries as they are; its plain iterator would wrap
     * each in a new entry and turn each name into a new String, twice per header per exchange.
     */
    private static Iterator<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>> entries(
            MultiMap headers) {
        return VertxInternals.entries(headers);
    }

    /** Does a comma-separated header value list {@code token} (any case, parameters after ';' ignored)? */
    static boolean listsToken(String value, String token) {
        for (String element : value.split(",")) {
            int parameters = element.indexOf(';');
            if ((parameters < 0 ? element : element.substring(0, parameters)).trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAnsweredByTheBalancer(CharSequence name) {
        return (name.length() == 4 && is(name, "host")) || (name.length() == 6 && is(name, "expect"));
    }

    /** True for the header names that are always hop-by-hop, whatever their case. */
    static boolean isHopByHop(CharSequence name) {
        switch (name.length()) {
            case 2:
                return is(name, "te");
            case 7:
                return is(name, "trailer") || is(name, "upgrade");
            case 10:
                return is(name, "connection") || is(name, "keep-alive");
            case 16:
                return is(name, "proxy-connection");
            case 17:
                return is(name, "transfer-encoding");
            case 18:
                return is(name, "proxy-authenticate");
            case 19:
                return is(name, "proxy-authorization");
            default:
                return false;
        }
    }

    private static boolean is(CharSequence name, String other) {
        return AsciiString.contentEqualsIgnoreCase(name, other);
    }

    private static boolean named(List<String> names, CharSequence name) {
        for (int i = 0; i < names.size(); i++) {
            if (is(name, names.get(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The header names listed in the Connection header(s) that are not hop-by-hop anyway. No list is made in the
     * usual cases: no Connection header, or only {@code keep-alive}, {@code close} or {@code upgrade} in it. The
     * values are read from the stored entries: {@code getAll} would build a list of them first.
     */
    private static List<String> namedByConnection(MultiMap headers) {
        if (!headers.contains(CONNECTION)) {
            return List.of();
        }
        List<String> names = null;
        for (var entries = entries(headers); entries.hasNext();) {
            Map.Entry<? extends CharSequence, ? extends CharSequence> header = entries.next();
            if (header.getKey().length() != 10 || !is(header.getKey(), "connection")) {
                continue;
            }
            String value = header.getValue().toString();
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                String name = value.substring(start, end).trim();
                if (!name.isEmpty() && !isHopByHop(name) && !name.equalsIgnoreCase("close")) {
                    if (names == null) {
                        names = new ArrayList<>(2);
                    }
                    names.add(name);
                }
                start = end + 1;
            }
        }
        return names == null ? List.of() : names;
    }
}
