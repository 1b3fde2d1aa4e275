package io.lb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;
import io.lb.testing.Behaviours;
import io.lb.testing.Metrics;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.lb.testing.TestCertificates;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * {@code lb.client.max-pending-per-backend}: with one connection per backend and room for one try in line, a third
 * try at a busy backend is turned away at once, and goes to another backend or ends in a 503, instead of waiting
 * out the per-try timeout (3 s here). Plain backends (the balancer's own client) and TLS ones (Vert.x' client).
 */
@QuarkusTest
@TestProfile(PendingLimitTest.OneConnectionOneWaiter.class)
class PendingLimitTest {

    public static class OneConnectionOneWaiter implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "lb.client.max-connections-per-backend", "1",
                    "lb.client.max-pending-per-backend", "1",
                    // one event loop: the per-loop shares of both limits are exactly 1
                    "quarkus.vertx.event-loops-pool-size", "1",
                    "lb.timeout.response", "3s",
                    "lb.client.tls.trust-certificate-files", TestCertificates.get().certificate().toString(),
                    "lb.health.interval", "1h",
                    "lb.health.down-interval", "1h");
        }
    }

    @TestHTTPResource("/")
    URI proxy;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    BackendPool pool;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void countsBackToZero() {
        release.countDown();
        Pools.awaitAllIdle(pool);
    }

    @Test
    void aTryBeyondTheLineGoesToAnotherBackendAtOnceWhateverItsMethod() throws Exception {
        try (TestBackend busy = TestBackend.start("busy"); TestBackend spare = TestBackend.start("spare")) {
            busy.behave(Behaviours.holdUntil(release, "busy"));
            Pools.use(pool);
            Pools.useWeighted(pool, busy, 1000); // least connections keeps choosing it while it holds few
            Pools.useWeighted(pool, spare, 1);
            Backend busyBackend = Pools.backendOf(pool, busy);
            var holding = fillConnectionAndLine(busyBackend, () -> busy.inFlight() == 1);
            double rejected = rejected();
            double retries = Metrics.value(management, "lb_retries_total", "reason=\"queue_full\"");

            long start = System.nanoTime();
            HttpResponse<String> third = client.send(HttpRequest.newBuilder(proxy.resolve("/third"))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("body")).build(),
                    BodyHandlers.ofString());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, third.statusCode(), third.body());
            assertEquals("spare", third.body());
            assertTrue(millis < 1_500, "answered after " + millis + " ms: it waited in line");
            assertEquals(rejected + 1, rejected());
            assertEquals(retries + 1, Metrics.value(management, "lb_retries_total", "reason=\"queue_full\""));
            assertEquals("POST", spare.lastRequest().method());

            release.countDown();
            for (CompletableFuture<HttpResponse<String>> held : holding) {
                assertEquals("busy", held.get().body());
            }
            assertTrue(busyBackend.acceptsTraffic(), "a full line is no failure of the backend");
        }
    }

    @Test
    void withNoOtherBackendTheTryBeyondTheLineGets503AtOnce() throws Exception {
        try (TestBackend busy = TestBackend.start("busy")) {
            busy.behave(Behaviours.holdUntil(release, "busy"));
            Pools.use(pool, busy);
            var holding = fillConnectionAndLine(Pools.backendOf(pool, busy), () -> busy.inFlight() == 1);
            assertTurnedAwayAtOnce();
            release.countDown();
            for (CompletableFuture<HttpResponse<String>> held : holding) {
                assertEquals(200, held.get().statusCode());
            }
        }
    }

    @Test
    void aTryThatGaveUpWaitingLeavesTheLine() throws Exception {
        try (TestBackend busy = TestBackend.start("busy")) {
            // the response head comes at once (no per-try timeout for it), the end only when released
            busy.behave(request -> request.body().onComplete(ignored -> {
                request.response().setChunked(true).write("bu");
                TestBackend.vertx().executeBlocking(() -> {
                    release.await();
                    return null;
                }, false).onComplete(released -> request.response().end("sy"));
            }));
            Pools.use(pool, busy);
            var holding = fillConnectionAndLine(Pools.backendOf(pool, busy), () -> busy.inFlight() == 1);
            assertEquals(504, holding.get(1).get().statusCode(), "the waiter ran out of lb.timeout.response");
            double rejected = rejected();
            var next = client.sendAsync(HttpRequest.newBuilder(proxy.resolve("/next"))
                    .timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofString());
            Thread.sleep(300);
            assertTrue(!next.isDone(), "the line has room again: the next try waits in it");
            release.countDown();
            assertEquals("busy", holding.get(0).get().body());
            assertEquals("busy", next.get().body());
            assertEquals(rejected, rejected());
        }
    }

    @Test
    void theLineForTlsBackendsIsBoundedToo() throws Exception {
        List<HttpServerResponse> held = new CopyOnWriteArrayList<>();
        HttpServer tls = TestBackend.vertx().createHttpServer(new HttpServerOptions()
                .setHost("127.0.0.1").setPort(0).setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(TestCertificates.get().certificate().toString())
                        .setKeyPath(TestCertificates.get().key().toString())))
                .requestHandler(request -> held.add(request.response()));
        tls = tls.listen().toCompletionStage().toCompletableFuture().get();
        try {
            Pools.use(pool);
            pool.add(BackendSpecParser.parse("https://localhost:" + tls.actualPort()));
            var holding = fillConnectionAndLine(pool.all().get(0), () -> held.size() == 1);
            assertTurnedAwayAtOnce();
            TestBackend.vertx().runOnContext(v -> {
                // the first answer frees the connection for the waiter, whose answer comes when it arrives
                held.get(0).end("tls");
                TestBackend.vertx().setPeriodic(50, id -> held.forEach(r -> {
                    if (!r.ended()) {
                        r.end("tls");
                    }
                }));
            });
            for (CompletableFuture<HttpResponse<String>> answer : holding) {
                assertEquals("tls", answer.get().body());
            }
        } finally {
            tls.close();
        }
    }

    /** One request holds the backend's only connection, a second waits in line for it. */
    private List<CompletableFuture<HttpResponse<String>>> fillConnectionAndLine(Backend backend,
            java.util.concurrent.Callable<Boolean> firstArrived) {
        var first = client.sendAsync(HttpRequest.newBuilder(proxy.resolve("/first"))
                .timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(firstArrived);
        var second = client.sendAsync(HttpRequest.newBuilder(proxy.resolve("/second"))
                .timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.activeConnections() == 2);
        return List.of(first, second);
    }

    private void assertTurnedAwayAtOnce() throws Exception {
        double rejected = rejected();
        long start = System.nanoTime();
        HttpResponse<String> third = client.send(HttpRequest.newBuilder(proxy.resolve("/third"))
                .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(503, third.statusCode(), third.body());
        assertTrue(third.body().startsWith("503 Service Unavailable: every backend is at capacity\nrequest id: "),
                third.body());
        assertTrue(millis < 1_500, "answered after " + millis + " ms: it waited in line");
        assertEquals(rejected + 1, rejected());
    }

    private double rejected() {
        return Metrics.value(management, "lb_rejected_total", "reason=\"queue_full\"");
    }
}
