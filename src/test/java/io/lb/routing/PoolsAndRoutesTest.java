package io.lb.routing;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.lb.testing.Behaviours;
import io.lb.testing.Metrics;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Requests reach the pool their host and path route to, with that pool's policies and its own counts. */
@QuarkusTest
@TestProfile(PoolsAndRoutesProfile.class)
class PoolsAndRoutesTest {

    static TestBackend api1;
    static TestBackend api2;
    static TestBackend web1;
    static TestBackend web2;
    static TestBackend fallback;

    @TestHTTPResource("/")
    URI proxy;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    PoolRegistry pools;

    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        api1 = TestBackend.start("api-1");
        api2 = TestBackend.start("api-2");
        web1 = TestBackend.start("web-1");
        web2 = TestBackend.start("web-2");
        fallback = TestBackend.start("fallback");
    }

    @AfterAll
    static void stop() {
        for (TestBackend backend : new TestBackend[] { api1, api2, web1, web2, fallback }) {
            backend.close();
        }
    }

    @BeforeEach
    void usePools() {
        Pools.use(pool("api"), api1, api2);
        Pools.use(pool("web"), web1, web2);
        Pools.use(pool("default"), fallback);
        for (TestBackend backend : new TestBackend[] { api1, api2, web1, web2, fallback }) {
            backend.reset();
            backend.behave(Behaviours.answerWithName(backend.name()));
        }
    }

    @AfterEach
    void countsBackToZero() {
        for (BackendPool pool : pools.all()) {
            Pools.awaitAllIdle(pool);
        }
    }

    private BackendPool pool(String name) {
        return pools.find(name).orElseThrow();
    }

    /** One request with {@code host} as its Host header; the whole response as text. */
    private String get(String host, String path) throws Exception {
        try (RawHttp raw = RawHttp.connect(proxy)) {
            return raw.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nX-Internal: secret\r\n"
                    + "Connection: close\r\n\r\n").readUntilClosed();
        }
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void theMostSpecificRouteWins() throws Exception {
        assertTrue(body(get("api.example.com", "/anything")).startsWith("api-"), "exact host");
        assertTrue(body(get("API.Example.com:8443", "/anything")).startsWith("api-"), "case and port ignored");
        assertTrue(body(get("www.example.com", "/anything")).startsWith("web-"), "wildcard host");
        assertTrue(body(get("other.org", "/api/x")).startsWith("api-"), "path prefix, any host");
        assertTrue(body(get("other.org", "/web/x")).startsWith("web-"));
        assertEquals("fallback", body(get("other.org", "/apix")), "segment-aware: /apix is not under /api");
        assertEquals("fallback", body(get("other.org", "/")), "no route: the default pool");
        assertTrue(body(get("www.example.com", "/api/x")).startsWith("web-"), "a host route beats a path route");
    }

    @Test
    void theRouteStripsItsPrefixAndRewritesHeadersBothWays() throws Exception {
        api1.behave(Behaviours.echo());
        api2.behave(Behaviours.echo());
        String response = get("other.org", "/api/users/7?expand=true");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        TestBackend.ReceivedRequest received = api1.requestCount() > 0 ? api1.lastRequest() : api2.lastRequest();
        assertEquals("/users/7?expand=true", received.uri());
        assertEquals("prod", received.headers().get("X-Env"));
        assertFalse(received.headers().contains("X-Internal"), "removed towards the backend");
        assertTrue(response.contains("\r\nX-Route: api-path\r\n") || response.contains("\r\nx-route: api-path\r\n"),
                response);
        assertFalse(response.toLowerCase().contains("\r\nserver:"), response);
        get("other.org", "/api");
        assertTrue(api1.received().stream().anyMatch(r -> r.uri().equals("/"))
                || api2.received().stream().anyMatch(r -> r.uri().equals("/")), "/api reaches the backend as /");
        String other = get("www.example.com", "/plain");
        assertFalse(other.contains("X-Route"), "other routes rewrite nothing");
    }

    @Test
    void eachPoolRetriesByItsOwnPolicy() throws Exception {
        api1.behave(Behaviours.status(503));
        web1.behave(Behaviours.status(503));
        int apiFailures = 0;
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> web = send("/web/x");
            assertEquals(200, web.statusCode(), "the web pool retries a 503 on its other backend");
            if (send("/api/x").statusCode() == 503) {
                apiFailures++;
            }
        }
        assertTrue(apiFailures > 0, "the api pool (max-attempts=1) passes its 503s on");
        assertEquals(20, api1.requestCount() + api2.requestCount(), "and never sends a request twice");
    }

    @Test
    void aSlowPoolDoesNotSkewAnotherPoolsCounts() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        api1.behave(Behaviours.holdUntil(gate, "api-1"));
        api2.behave(Behaviours.holdUntil(gate, "api-2"));
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            held.add(client.sendAsync(HttpRequest.newBuilder(proxy.resolve("/api/slow")).build(),
                    BodyHandlers.ofString()));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> active("api") == 6);
        assertEquals(3, Pools.backendOf(pool("api"), api1).activeConnections(), "least connections within a pool");
        for (int i = 0; i < 10; i++) {
            assertEquals(200, send("/web/x").statusCode());
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> active("web") == 0);
        assertEquals(6, active("api"), "the api pool's exchanges are still held");
        gate.countDown();
        for (CompletableFuture<HttpResponse<String>> response : held) {
            assertEquals(200, response.get().statusCode());
        }
    }

    @Test
    void backendsAreDrainedAndRemovedThroughTheirPoolsAdminApi() throws Exception {
        String id = URLEncoder.encode(api1.url(), StandardCharsets.UTF_8);
        admin().post(management.resolve("/lb/pools/api/backends/" + id + "/drain")).then().statusCode(200);
        for (int i = 0; i < 6; i++) {
            assertEquals("api-2", send("/api/x").body());
        }
        admin().delete(management.resolve("/lb/pools/api/backends/" + id)).then().statusCode(200);
        assertEquals(1, pool("api").snapshot().length);
        assertEquals(2, pool("web").snapshot().length, "other pools are untouched");
        admin().delete(management.resolve("/lb/pools/web/backends/" + id)).then().statusCode(404);
        given().get(management.resolve("/lb/pools")).then().statusCode(200)
                .body("name", org.hamcrest.Matchers.hasItems("default", "api", "web"))
                .body("find { it.name == 'api' }.routes.name", org.hamcrest.Matchers.hasItems("api-host", "api-path"))
                .body("find { it.name == 'api' }.backends.size()", org.hamcrest.Matchers.is(1));
        given().get(management.resolve("/lb/backends")).then().statusCode(200)
                .body("pool", org.hamcrest.Matchers.hasItems("default", "api", "web"));
    }

    @Test
    void requestMetricsCarryThePoolAndTheRoute() throws Exception {
        send("/api/x");
        send("/web/x");
        double api = Metrics.value(management, "lb_requests_total", "pool=\"api\"", "route=\"api-path\"",
                "outcome=\"success\"");
        double web = Metrics.value(management, "lb_requests_total", "pool=\"web\"", "route=\"web-path\"",
                "outcome=\"success\"");
        assertTrue(api >= 1, "api: " + api);
        assertTrue(web >= 1, "web: " + web);
        assertTrue(Metrics.scrape(management).contains("lb_backend_active_connections{backend=\"" + web1.url()
                + "\",pool=\"web\"}"), "per-backend series carry the pool");
    }

    private int active(String name) {
        int total = 0;
        for (Backend backend : pool(name).snapshot()) {
            total += backend.activeConnections();
        }
        return total;
    }

    private HttpResponse<String> send(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(proxy.resolve(path)).build(), BodyHandlers.ofString());
    }

    private static io.restassured.specification.RequestSpecification admin() {
        return given().urlEncodingEnabled(false).header("Authorization", "Bearer " + PoolsAndRoutesProfile.TOKEN);
    }
}
