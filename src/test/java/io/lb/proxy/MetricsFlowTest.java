package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
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

import io.lb.balancer.BackendPool;
import io.lb.testing.Behaviours;
import io.lb.testing.Metrics;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Prometheus series move with real traffic, and request paths never become label values. */
@QuarkusTest
class MetricsFlowTest {

    static TestBackend backend;
    final HttpClient client = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URI proxy;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    BackendPool pool;

    String tag;

    @BeforeAll
    static void start() {
        backend = TestBackend.start("metered");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @BeforeEach
    void install() {
        backend.reset();
        Pools.use(pool, backend);
        tag = "backend=\"" + backend.url() + "\"";
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void requestCountersAndLatencyHistogramMove() throws Exception {
        double before = Metrics.value(management, "lb_requests_total", tag, "status_class=\"2xx\"",
                "outcome=\"success\"");
        double durationsBefore = Metrics.value(management, "lb_request_duration_seconds_count", tag);
        for (int i = 0; i < 5; i++) {
            send("/ok/" + i);
        }
        backend.behave(Behaviours.status(404));
        send("/missing");
        assertEquals(before + 5, Metrics.value(management, "lb_requests_total", tag, "status_class=\"2xx\"",
                "outcome=\"success\""));
        assertEquals(1, Metrics.value(management, "lb_requests_total", tag, "status_class=\"4xx\""));
        assertEquals(durationsBefore + 6, Metrics.value(management, "lb_request_duration_seconds_count", tag));
        assertFalse(Metrics.scrape(management).contains("/ok/"), "request paths must not become label values");
    }

    @Test
    void activeConnectionsGaugeFollowsRequestsInFlight() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        backend.behave(Behaviours.holdUntil(gate, "held"));
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(client.sendAsync(HttpRequest.newBuilder(proxy.resolve("/held")).build(), BodyHandlers.ofString()));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Metrics.value(management, "lb_backend_active_connections", tag) == 3);
        assertEquals(1, Metrics.value(management, "lb_backend_up", tag));
        assertEquals(1, Metrics.value(management, "lb_backend_weight", tag));
        gate.countDown();
        for (var response : held) {
            response.get();
        }
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Metrics.value(management, "lb_backend_active_connections", tag) == 0);
    }

    @Test
    void noBackendRequestsAreCountedUnderNone() throws Exception {
        Pools.use(pool);
        double before = Metrics.value(management, "lb_requests_total", "backend=\"none\"", "outcome=\"no_backend\"");
        assertEquals(503, send("/nothing").statusCode());
        assertEquals(before + 1,
                Metrics.value(management, "lb_requests_total", "backend=\"none\"", "outcome=\"no_backend\""));
    }

    @Test
    void removedBackendsLeaveNoSeries() {
        Pools.use(pool);
        assertFalse(Metrics.scrape(management).contains(tag), "series of a removed backend must go");
    }

    @Test
    void aRetiredBackendsLastExchangeLeavesNoSeriesBehind() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        backend.behave(Behaviours.holdUntil(gate, "last"));
        var last = client.sendAsync(HttpRequest.newBuilder(proxy.resolve("/last")).build(), BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Metrics.value(management, "lb_backend_active_connections", tag) == 1);
        pool.retire(backend.url()); // drains: it leaves the pool when this exchange ends
        gate.countDown();
        assertEquals(200, last.get().statusCode());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pool.find(backend.url()).isEmpty());
        Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> !Metrics.scrape(management).contains(tag));
    }

    private HttpResponse<String> send(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(proxy.resolve(path)).build(), BodyHandlers.ofString());
    }
}
