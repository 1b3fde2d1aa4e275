package io.lb.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;


import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.config.InvalidConfigException;
import io.lb.config.PoolSettings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Cookie-based affinity of one pool ({@code lb.sticky.enabled}, or the pool's own): a client that carries the
 * affinity cookie goes back to the backend that served it while that backend accepts traffic; otherwise the
 * pool's strategy decides and the cookie is set to the new backend. The cookie's value is an opaque token derived from the backend's URL (a
 * truncated SHA-256), never the URL itself.
 */
final class StickySessions {

    private final String cookieName;
    private final BackendPool pool;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    private StickySessions(String cookieName, BackendPool pool) {
        this.cookieName = cookieName;
        this.pool = pool;
    }

    /** The pool's affinity, or null when it has none; an invalid cookie name fails, naming the key. */
    static StickySessions of(BackendPool pool) {
        PoolSettings.Sticky settings = pool.settings().sticky();
        String cookieName = settings.cookie();
        if (cookieName.isEmpty() || !cookieName.chars().allMatch(c -> c > 32 && c < 127
                && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            throw new InvalidConfigException(pool.settings().key("sticky.cookie") + ": invalid value '" + cookieName
                    + "': not a cookie name (RFC 6265 token)");
        }
        return settings.enabled() ? new StickySessions(cookieName, pool) : null;
    }

    String cookieName() {
        return cookieName;
    }

    /** The token the request's affinity cookie carries, or null. */
    String requestedToken(HttpServerRequest request) {
        for (String header : request.headers().getAll(HttpHeaders.COOKIE)) {
            String value = cookieValue(header, cookieName);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** The backend {@code token} stands for if it is in the pool and accepts traffic, else null. */
    Backend backendFor(String token) {
        if (token == null) {
            return null;
        }
        for (Backend backend : pool.snapshot()) {
            if (token.equals(tokenOf(backend))) {
                return backend.acceptsTraffic() ? backend : null;
            }
        }
        return null;
    }

    /** Points the client at {@code servedBy} unless its cookie already does. */
    void stick(HttpServerRequest request, String requestedToken, Backend servedBy, HttpServerResponse response) {
        String token = tokenOf(servedBy);
        if (token.equals(requestedToken)) {
            return;
        }
        response.headers().add(HttpHeaders.SET_COOKIE, cookieName + "=" + token + "; Path=/; HttpOnly; SameSite=Lax"
                + (request.isSSL() ? "; Secure" : ""));
    }

    /** The opaque, stable token of a backend: the same URL always gives the same token, on every replica. */
    String tokenOf(Backend backend) {
        return tokens.computeIfAbsent(backend.id(), StickySessions::hash);
    }

    private static String hash(String url) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value of cookie {@code name} in one {@code Cookie} header ({@code a=1; b=2}), or null. */
    static String cookieValue(String header, String name) {
        int from = 0;
        int length = header.length();
        while (from < length) {
            int end = header.indexOf(';', from);
            if (end < 0) {
                end = length;
            }
            int eq = header.indexOf('=', from);
            if (eq > 0 && eq < end && header.substring(from, eq).trim().equals(name)) {
                String value = header.substring(eq + 1, end).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value;
            }
            from = end + 1;
        }
        return null;
    }
}
