package io.lb.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Optional features that change nothing for requests that do not use them, on together so that their tests share
 * one Quarkus start: sticky sessions (a client without the cookie is balanced as usual), trust-all TLS to https://
 * backends, loopback as a trusted proxy (only X-Forwarded-* handling differs), and a rate-limited route under
 * {@code /limited} keyed by {@code X-Api-Key} (every other path is unlimited).
 */
public class OptionalFeaturesProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "lb.sticky.enabled", "true",
                "lb.client.tls.trust-all", "true",
                "lb.forwarded.trusted-proxies", "10.0.0.0/8,127.0.0.0/8,::1/128",
                "lb.routes.limited.pool", "default",
                "lb.routes.limited.path-prefix", "/limited",
                "lb.routes.limited.rate-limit.requests-per-second", "0.2",
                "lb.routes.limited.rate-limit.burst", "3",
                "lb.routes.limited.rate-limit.key", "header:X-Api-Key");
    }
}
