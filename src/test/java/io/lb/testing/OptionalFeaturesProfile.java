package io.lb.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Optional features and limits that change nothing for the requests of tests that do not exercise them, on
 * together so that their tests share one Quarkus start: sticky sessions (a client without the cookie is balanced as
 * usual), trust-all TLS to https:// backends, loopback as a trusted proxy (only X-Forwarded-* handling differs), a
 * rate-limited route under {@code /limited} keyed by {@code X-Api-Key} (every other path is unlimited), an admin
 * token (changes through the admin API need it; reads do not), request bodies up to 1 KiB, a backend's body may
 * pause 300 ms at the most, and a try waits 3 s at the most for its response head.
 */
public class OptionalFeaturesProfile implements QuarkusTestProfile {

    public static final String ADMIN_TOKEN = "s3cret-admin-token";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("lb.sticky.enabled", "true"),
                Map.entry("lb.client.tls.trust-all", "true"),
                Map.entry("lb.forwarded.trusted-proxies", "10.0.0.0/8,127.0.0.0/8,::1/128"),
                Map.entry("lb.routes.limited.pool", "default"),
                Map.entry("lb.routes.limited.path-prefix", "/limited"),
                Map.entry("lb.routes.limited.rate-limit.requests-per-second", "0.2"),
                Map.entry("lb.routes.limited.rate-limit.burst", "3"),
                Map.entry("lb.routes.limited.rate-limit.key", "header:X-Api-Key"),
                Map.entry("lb.admin.token", ADMIN_TOKEN),
                Map.entry("quarkus.http.limits.max-body-size", "1K"),
                Map.entry("lb.timeout.idle", "300ms"),
                Map.entry("lb.timeout.response", "3s"));
    }
}
