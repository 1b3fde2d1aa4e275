package io.lb.routing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Three pools behind routes by host and path; the tests put their own backends in them. The api pool does not
 * retry, the others do.
 */
public class PoolsAndRoutesProfile implements QuarkusTestProfile {

    static final String TOKEN = "routes-test-token";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("lb.admin.token", TOKEN),
                Map.entry("lb.retry.max-attempts", "3"),
                Map.entry("lb.pools.api.backends", "http://127.0.0.1:9"),
                Map.entry("lb.pools.api.retry.max-attempts", "1"),
                Map.entry("lb.pools.web.backends", "http://127.0.0.1:9"),
                Map.entry("lb.routes.api-host.pool", "api"),
                Map.entry("lb.routes.api-host.host", "api.example.com"),
                Map.entry("lb.routes.sites.pool", "web"),
                Map.entry("lb.routes.sites.host", "*.example.com"),
                Map.entry("lb.routes.api-path.pool", "api"),
                Map.entry("lb.routes.api-path.path-prefix", "/api"),
                Map.entry("lb.routes.api-path.strip-prefix", "true"),
                Map.entry("lb.routes.api-path.request-headers.set.X-Env", "prod"),
                Map.entry("lb.routes.api-path.request-headers.remove", "X-Internal"),
                Map.entry("lb.routes.api-path.response-headers.set.X-Route", "api-path"),
                Map.entry("lb.routes.api-path.response-headers.remove", "Server"),
                Map.entry("lb.routes.web-path.pool", "web"),
                Map.entry("lb.routes.web-path.path-prefix", "/web"));
    }
}
