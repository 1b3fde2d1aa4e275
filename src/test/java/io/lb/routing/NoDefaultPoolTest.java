package io.lb.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.lb.balancer.PoolRegistry;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Without a default pool, a request no route matches gets a 404 that says what was not found. */
@QuarkusTest
@TestProfile(NoDefaultPoolTest.Profile.class)
class NoDefaultPoolTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "lb.backends", "",
                    "lb.pools.api.backends", "http://127.0.0.1:9",
                    "lb.routes.api.pool", "api",
                    "lb.routes.api.path-prefix", "/api");
        }
    }

    static TestBackend api;

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    PoolRegistry pools;

    @BeforeAll
    static void start() {
        api = TestBackend.start("api");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void anUnroutedRequestGetsA404NamingItsHostAndPath() throws Exception {
        assertTrue(pools.defaultPool().isEmpty());
        Pools.use(pools.find("api").orElseThrow(), api);
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String response = raw.send("GET /elsewhere?q=1 HTTP/1.1\r\nHost: shop.example.com\r\n\r\n").readResponse();
            assertTrue(response.startsWith("HTTP/1.1 404"), response);
            assertTrue(response.contains("text/plain"), response);
            assertTrue(response.contains("\r\n\r\n404 Not Found: no route for host shop.example.com and path /elsewhere\n"
                    + "request id: "), response);
            String routed = raw.send("GET /api/x HTTP/1.1\r\nHost: shop.example.com\r\n\r\n").readResponse();
            assertTrue(routed.startsWith("HTTP/1.1 200"), "the connection stays usable: " + routed);
        }
        assertEquals(1, api.requestCount());
        Pools.awaitAllIdle(pools.find("api").orElseThrow());
    }
}
