package io.lb.admin;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpec;
import io.lb.config.BackendSpecParser;

/**
 * Turns the {@code {id}} of an admin path into a backend. A backend's id is its URL, which does not fit in a
 * path segment as is, so three spellings are accepted: the URL-encoded URL ({@code http%3A%2F%2F10.0.0.1%3A8080}),
 * the short form {@code host:port} ({@code 10.0.0.1:8080}, {@code [::1]:8080}) and {@code https~host:port}
 * where the scheme matters. The short form matches whatever scheme the backend has.
 */
final class BackendIds {

    private BackendIds() {
    }

    static Optional<Backend> find(BackendPool pool, String pathParam) {
        if (pathParam == null || pathParam.isBlank()) {
            return Optional.empty();
        }
        // Vert.x Web has already decoded %XX in path parameters once; decoding again handles double encoding
        String raw = pathParam.contains("%") ? URLDecoder.decode(pathParam, StandardCharsets.UTF_8) : pathParam;
        Optional<Backend> exact = pool.find(raw);
        if (exact.isPresent()) {
            return exact;
        }
        String candidate = raw;
        int tilde = raw.indexOf('~');
        if (tilde > 0 && !raw.contains("://")) {
            candidate = raw.substring(0, tilde) + "://" + raw.substring(tilde + 1);
        }
        if (candidate.contains("://")) {
            return parse(candidate).flatMap(spec -> pool.find(spec.url()));
        }
        // host:port, any scheme
        for (String scheme : new String[] { "http", "https" }) {
            Optional<Backend> found = parse(scheme + "://" + candidate).flatMap(spec -> pool.find(spec.url()));
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** The short id shown next to the full one: {@code host:port}, or {@code https~host:port} for TLS backends. */
    static String shortId(Backend backend) {
        String url = backend.id();
        int at = url.indexOf("://");
        String hostPort = url.substring(at + 3);
        return backend.spec().tls() ? "https~" + hostPort : hostPort;
    }

    private static Optional<BackendSpec> parse(String url) {
        try {
            return Optional.of(BackendSpecParser.parse(url));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
