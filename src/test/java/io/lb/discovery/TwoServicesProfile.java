package io.lb.discovery;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Two discovered pools in one namespace, so behind one informer: the pool {@code default} from the global keys
 * (Service {@code web}) and the pool {@code api} (Service {@code api}) behind the route {@code /api}. The api pool
 * is probed only when a test asks ({@code interval} of an hour), ejects for ten minutes and ramps new backends
 * up over ten minutes, so that a test can set a backend's state and see whether discovery keeps it.
 */
public class TwoServicesProfile implements QuarkusTestProfile {

    static final String NAMESPACE = "test";
    static final String WEB = "web";
    static final String API = "api";
    /** Listed in lb.pools.api.backends, which discovery makes ignored: it must never be in the pool. */
    static final String IGNORED_BACKEND = "http://127.0.0.1:1";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("lb.discovery", "kubernetes"),
                Map.entry("lb.discovery.kubernetes.service", WEB),
                Map.entry("lb.discovery.kubernetes.port-name", "http"),
                Map.entry("lb.slow-start.window", "0"),
                Map.entry("lb.pools.api.discovery", "kubernetes"),
                Map.entry("lb.pools.api.discovery.kubernetes.service", API),
                Map.entry("lb.pools.api.discovery.kubernetes.namespace", NAMESPACE),
                Map.entry("lb.pools.api.discovery.kubernetes.port-name", "http"),
                Map.entry("lb.pools.api.backends", IGNORED_BACKEND),
                Map.entry("lb.pools.api.health.path", "/health"),
                Map.entry("lb.pools.api.health.interval", "1h"),
                Map.entry("lb.pools.api.health.down-interval", "1h"),
                Map.entry("lb.pools.api.health.fall", "2"),
                Map.entry("lb.pools.api.slow-start.window", "10m"),
                Map.entry("lb.pools.api.outlier.consecutive-errors", "3"),
                Map.entry("lb.pools.api.outlier.base-ejection-time", "10m"),
                Map.entry("lb.pools.api.outlier.max-ejection-time", "10m"),
                Map.entry("lb.routes.api.pool", "api"),
                Map.entry("lb.routes.api.path-prefix", "/api"));
    }
}
