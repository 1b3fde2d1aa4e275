package io.lb.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.lb.config.ConfigValidator;
import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;
import io.lb.config.LbConfigs;
import io.lb.config.PoolSettings;

/** Pools and routes as configured: what they resolve to, and each configuration that fails startup. */
class PoolsAndRoutesConfigTest {

    private static LbConfig config(Map<String, String> values) {
        return LbConfigs.builder().withDefaultValues(values).build().getConfigMapping(LbConfig.class);
    }

    private static List<Route> routes(Map<String, String> values) {
        LbConfig config = config(values);
        ConfigValidator.validate(config);
        return RoutesConfig.read(config, PoolSettings.resolveAll(config).keySet());
    }

    private static String failure(Map<String, String> values) {
        return assertThrows(InvalidConfigException.class, () -> routes(values)).getMessage();
    }

    @Test
    void backendsAloneAreTheDefaultPoolWithACatchAllRoute() {
        List<Route> routes = routes(Map.of("lb.backends", "http://127.0.0.1:1"));
        assertEquals(1, routes.size());
        assertEquals("default", routes.get(0).pool());
        assertNull(routes.get(0).host());
        assertEquals("/", routes.get(0).pathPrefix());
    }

    @Test
    void namedPoolsTakeTheirOwnPoliciesAndInheritTheRest() {
        LbConfig config = config(Map.of(
                "lb.health.path", "/ping",
                "lb.pools.api.backends", "http://127.0.0.1:1",
                "lb.pools.api.health.path", "/healthz",
                "lb.pools.api.retry.max-attempts", "1",
                "lb.pools.api.timeout.response", "3s",
                "lb.pools.api.strategy", "peak-ewma",
                "lb.pools.web.backends", "http://127.0.0.1:2"));
        Map<String, PoolSettings> pools = PoolSettings.resolveAll(config);
        assertEquals(List.of("api", "web"), List.copyOf(pools.keySet()), "no lb.backends: no default pool");
        PoolSettings api = pools.get("api");
        assertEquals("/healthz", api.health().path());
        assertEquals(1, api.retry().maxAttempts());
        assertEquals(Duration.ofSeconds(3), api.responseTimeout());
        assertEquals("peak-ewma", api.strategy());
        PoolSettings web = pools.get("web");
        assertEquals("/ping", web.health().path());
        assertEquals(3, web.retry().maxAttempts());
        assertEquals("least-connections", web.strategy());
    }

    @Test
    void withPoolsTheBackendsKeyIsTheDefaultPoolAndGetsTheUnroutedRequests() {
        List<Route> routes = routes(Map.of(
                "lb.backends", "http://127.0.0.1:1",
                "lb.pools.api.backends", "http://127.0.0.1:2",
                "lb.routes.api.pool", "api",
                "lb.routes.api.path-prefix", "/api"));
        assertEquals(List.of("api", "default"), routes.stream().map(Route::pool).toList());
        assertEquals("/", routes.get(1).pathPrefix());
    }

    @Test
    void aConfiguredCatchAllRouteReplacesTheDefaultOne() {
        List<Route> routes = routes(Map.of(
                "lb.backends", "http://127.0.0.1:1",
                "lb.pools.web.backends", "http://127.0.0.1:2",
                "lb.routes.web.pool", "web"));
        assertEquals(List.of("web"), routes.stream().map(Route::pool).toList());
    }

    @Test
    void aRouteToAnUnknownPoolFailsNamingTheKeyAndTheValue() {
        String message = failure(Map.of("lb.backends", "http://127.0.0.1:1", "lb.routes.api.pool", "apii"));
        assertTrue(message.startsWith("lb.routes.api.pool: invalid value 'apii': no such pool"), message);
    }

    @Test
    void aRouteWithoutAPoolFails() {
        String message = failure(Map.of("lb.backends", "http://127.0.0.1:1", "lb.routes.api.path-prefix", "/api"));
        assertTrue(message.startsWith("lb.routes.api.pool is missing"), message);
    }

    @Test
    void aMalformedHostPatternFails() {
        String message = failure(Map.of("lb.backends", "http://127.0.0.1:1", "lb.routes.r.pool", "default",
                "lb.routes.r.host", "a.*.com"));
        assertTrue(message.startsWith("lb.routes.r.host: invalid value 'a.*.com'"), message);
    }

    @Test
    void aPathPrefixWithoutItsLeadingSlashFails() {
        String message = failure(Map.of("lb.backends", "http://127.0.0.1:1", "lb.routes.r.pool", "default",
                "lb.routes.r.path-prefix", "api"));
        assertTrue(message.startsWith("lb.routes.r.path-prefix: invalid value 'api': must start with /"), message);
    }

    @Test
    void twoRoutesForTheSameHostAndPrefixFailNamingBoth() {
        String message = failure(Map.of("lb.backends", "http://127.0.0.1:1",
                "lb.routes.one.pool", "default", "lb.routes.one.host", "api.example.com",
                "lb.routes.one.path-prefix", "/v1",
                "lb.routes.two.pool", "default", "lb.routes.two.host", "API.example.com",
                "lb.routes.two.path-prefix", "/v1"));
        assertTrue(message.startsWith("lb.routes.two.path-prefix: invalid value '/v1'"), message);
        assertTrue(message.contains("lb.routes.one"), message);
    }

    @Test
    void aPoolWithoutBackendsOrDiscoveryFails() {
        String message = failure(Map.of("lb.pools.api.strategy", "peak-ewma"));
        assertTrue(message.startsWith("lb.pools.api.backends is missing"), message);
    }

    @Test
    void theDefaultPoolCannotBeDefinedTwice() {
        String message = failure(Map.of("lb.backends", "http://127.0.0.1:1",
                "lb.pools.default.backends", "http://127.0.0.1:2"));
        assertTrue(message.startsWith("lb.pools.default.backends: the pool 'default' is already defined by"
                + " lb.backends"), message);
    }

    @Test
    void noPoolAtAllFails() {
        String message = failure(Map.of());
        assertTrue(message.startsWith("lb.backends is empty"), message);
    }

    @Test
    void aPoolsOwnBadValueIsReportedUnderItsOwnKey() {
        String message = failure(Map.of("lb.pools.api.backends", "http://127.0.0.1:1",
                "lb.pools.api.health.path", "healthz"));
        assertTrue(message.startsWith("lb.pools.api.health.path: invalid value 'healthz'"), message);
        message = failure(Map.of("lb.pools.api.backends", "http://127.0.0.1:1",
                "lb.pools.api.retry.max-attempts", "0"));
        assertTrue(message.startsWith("lb.pools.api.retry.max-attempts: invalid value '0'"), message);
    }

    @Test
    void headerRewritesAreReadAndCheckedPerRoute() {
        List<Route> routes = routes(Map.of("lb.backends", "http://127.0.0.1:1",
                "lb.routes.r.pool", "default",
                "lb.routes.r.request-headers.set.X-Env", "prod",
                "lb.routes.r.response-headers.remove", "Server,X-Powered-By"));
        assertEquals("X-Env: prod", routes.get(0).request().toString());
        assertEquals("-Server, -X-Powered-By", routes.get(0).response().toString());
        String message = failure(Map.of("lb.backends", "http://127.0.0.1:1", "lb.routes.r.pool", "default",
                "lb.routes.r.response-headers.remove", "Bad Name"));
        assertTrue(message.startsWith("lb.routes.r.response-headers.remove: invalid value 'Bad Name'"), message);
    }
}
