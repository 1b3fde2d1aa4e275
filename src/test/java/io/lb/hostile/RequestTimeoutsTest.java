package io.lb.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Behaviours;
import io.lb.testing.Metrics;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;

/**
 * Clients that send their request head or body too slowly (slowloris, R-U-Dead-Yet) get 408 and lose their
 * connection within {@code lb.timeout.request-header} / {@code request-body-idle}; nobody else notices. The slow
 * clients here keep sending a byte now and then, so the idle timeout (75 s) never rescues the balancer.
 */
@QuarkusTest
@TestProfile(RequestTimeoutsTest.ShortTimeouts.class)
class RequestTimeoutsTest {

    static final long TIMEOUT_MILLIS = 500;

    public static class ShortTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lb.timeout.request-header", TIMEOUT_MILLIS + "ms",
                    "lb.timeout.request-body-idle", TIMEOUT_MILLIS + "ms");
        }
    }

    static final ScheduledExecutorService TRICKLE = Executors.newScheduledThreadPool(2);

    @TestHTTPResource("/")
    URI proxy;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    BackendPool pool;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @AfterAll
    static void stopTrickling() {
        TRICKLE.shutdownNow();
    }

    @Test
    void aHeadTrickledByteByByteGets408AndIsClosedWithinTheTimeout() throws Exception {
        try (TestBackend backend = TestBackend.start("never-reached")) {
            Pools.use(pool, backend);
            double before = rejected("request_header_timeout");
            try (RawHttp raw = RawHttp.connect(proxy)) {
                long start = System.nanoTime();
                raw.send("GET /slow HTTP/1.1\r\nHost: t\r\n");
                var trickling = trickle(raw, "X-a: b\r\n");
                String answer = raw.readUntilClosed();
                long millis = (System.nanoTime() - start) / 1_000_000;
                trickling.cancel(true);
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                assertTrue(answer.contains("connection: close"), answer);
                assertTrue(millis >= TIMEOUT_MILLIS - 20 && millis < TIMEOUT_MILLIS + 1_500, "closed after " + millis + " ms");
            }
            assertEquals(0, backend.requestCount(), "a head never completed reaches no backend");
            assertEquals(before + 1, rejected("request_header_timeout"));
        }
    }

    @Test
    void normalRequestsAreServedWhileSlowHeadsHoldConnections() throws Exception {
        try (TestBackend backend = TestBackend.start("served")) {
            Pools.use(pool, backend);
            List<RawHttp> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    RawHttp raw = RawHttp.connect(proxy);
                    raw.send("GET /slow HTTP/1.1\r\nHost: t\r\n");
                    trickle(raw, "X-a: b\r\n");
                    slow.add(raw);
                }
                long deadline = System.nanoTime() + Duration.ofMillis(2 * TIMEOUT_MILLIS).toNanos();
                int served = 0;
                while (System.nanoTime() < deadline) {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.resolve("/ok"))
                            .timeout(Duration.ofSeconds(2)).build(), BodyHandlers.ofString());
                    assertEquals(200, response.statusCode(), response.body());
                    assertEquals("served", response.body());
                    served++;
                }
                assertTrue(served > 10, served + " served");
                for (RawHttp raw : slow) {
                    assertTrue(raw.readUntilClosed().startsWith("HTTP/1.1 408 "), "every slow head was answered 408");
                }
            } finally {
                for (RawHttp raw : slow) {
                    raw.close();
                }
            }
        }
    }

    @Test
    void aKeptAliveConnectionMayIdleBetweenRequestsAndItsNextHeadIsTimedFromItsFirstByte() throws Exception {
        try (TestBackend backend = TestBackend.start("kept")) {
            Pools.use(pool, backend);
            try (RawHttp raw = RawHttp.connect(proxy)) {
                raw.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\n");
                assertTrue(raw.readResponse().startsWith("HTTP/1.1 200 "));
                Thread.sleep(2 * TIMEOUT_MILLIS); // idle between requests: the idle timeout's business, not this one's
                raw.send("GET /2 HTTP/1.1\r\nHost: t\r\n\r\n");
                String second = raw.readResponse();
                assertTrue(second.startsWith("HTTP/1.1 200 "), second);

                long start = System.nanoTime();
                raw.send("GET /3 HTTP/1.1\r\n");
                var trickling = trickle(raw, "X-a: b\r\n");
                String third = raw.readUntilClosed();
                long millis = (System.nanoTime() - start) / 1_000_000;
                trickling.cancel(true);
                assertTrue(third.startsWith("HTTP/1.1 408 "), third);
                assertTrue(millis >= TIMEOUT_MILLIS - 20 && millis < TIMEOUT_MILLIS + 1_500, "closed after " + millis + " ms");
            }
            assertEquals(2, backend.requestCount());
        }
    }

    @Test
    void aClientWaitingForASlowAnswerOrPipeliningIsNotTimed() throws Exception {
        try (TestBackend backend = TestBackend.start("slow")) {
            backend.behave(Behaviours.slow("slow", 2 * TIMEOUT_MILLIS));
            Pools.use(pool, backend);
            try (RawHttp raw = RawHttp.connect(proxy)) {
                // two requests in one segment, then the start of a third while both answers (2 s each) are owed
                raw.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n");
                Thread.sleep(300);
                raw.send("GET /3 HTTP/1.1\r\n");
                assertTrue(raw.readResponse().startsWith("HTTP/1.1 200 "));
                String second = raw.readResponse();
                assertTrue(second.startsWith("HTTP/1.1 200 "), second);
                raw.send("Host: t\r\n\r\n");
                String third = raw.readResponse();
                assertTrue(third.startsWith("HTTP/1.1 200 "), third);
            }
            assertEquals(3, backend.requestCount());
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedWithoutAnAnswer() throws Exception {
        try (RawHttp raw = RawHttp.connect(proxy)) {
            long start = System.nanoTime();
            String answer = raw.readUntilClosed();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("", answer);
            assertTrue(millis >= TIMEOUT_MILLIS - 20 && millis < TIMEOUT_MILLIS + 1_500, "closed after " + millis + " ms");
        }
    }

    @Test
    void anHttp2ConnectionIsNotTimedAsAnHttp1Head() throws Exception {
        try (TestBackend backend = TestBackend.start("h2")) {
            Pools.use(pool, backend);
            var h2 = TestBackend.vertx().createHttpClient(new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false),
                    new PoolOptions().setHttp2MaxSize(1));
            try {
                var first = await(h2.request(HttpMethod.GET, proxy.getPort(), proxy.getHost(), "/1")
                        .compose(request -> request.send()));
                assertEquals(200, first.statusCode());
                HttpConnection connection = first.request().connection();
                var closed = new java.util.concurrent.atomic.AtomicBoolean();
                connection.closeHandler(ignored -> closed.set(true));
                Thread.sleep(2 * TIMEOUT_MILLIS);
                assertTrue(!closed.get(), "the HTTP/2 connection was closed");
                var second = await(h2.request(HttpMethod.GET, proxy.getPort(), proxy.getHost(), "/2")
                        .compose(request -> request.send()));
                assertEquals(200, second.statusCode());
                assertTrue(second.request().connection() == connection, "the same connection carried both");
            } finally {
                h2.close();
            }
        }
    }

    @Test
    void aBodyThatStallsGets408AndItsConnectionClosedAndItsBackendIsLetGo() throws Exception {
        try (TestBackend backend = TestBackend.start("echo")) {
            backend.behave(Behaviours.echo());
            Pools.use(pool, backend);
            double before = rejected("request_body_timeout");
            try (RawHttp raw = RawHttp.connect(proxy)) {
                raw.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc");
                long start = System.nanoTime();
                String answer = raw.readUntilClosed();
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                assertTrue(millis >= TIMEOUT_MILLIS - 20 && millis < TIMEOUT_MILLIS + 1_500, "closed after " + millis + " ms");
            }
            assertEquals(before + 1, rejected("request_body_timeout"));
        }
    }

    @Test
    void aBodyThatKeepsComingSlowerThanItsTotalButFasterThanTheIdleTimeoutPasses() throws Exception {
        try (TestBackend backend = TestBackend.start("echo")) {
            backend.behave(Behaviours.echo());
            Pools.use(pool, backend);
            try (RawHttp raw = RawHttp.connect(proxy)) {
                raw.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 8\r\n\r\n");
                for (int i = 0; i < 8; i++) {
                    Thread.sleep(TIMEOUT_MILLIS / 4);
                    raw.send("x");
                }
                String answer = raw.readResponse();
                assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
                assertTrue(answer.endsWith("xxxxxxxx"), answer);
            }
        }
    }

    @Test
    void aBodyStillArrivingAfterItsAnswerCannotHoldTheConnection() throws Exception {
        try (TestBackend backend = TestBackend.start("early")) {
            backend.behave(request -> request.response().end("early")); // answers without reading the body
            Pools.use(pool, backend);
            try (RawHttp raw = RawHttp.connect(proxy)) {
                raw.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nabc");
                var trickling = trickle(raw, "x");
                long start = System.nanoTime();
                String answer = raw.readUntilClosed();
                long millis = (System.nanoTime() - start) / 1_000_000;
                trickling.cancel(true);
                assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
                assertTrue(answer.endsWith("early"), answer);
                assertTrue(millis < TIMEOUT_MILLIS, "closed after " + millis + " ms");
            }
        }
    }

    @Test
    void everyRejectionReasonIsExportedFromStartup() {
        String scrape = Metrics.scrape(management);
        for (String reason : List.of("queue_full", "request_header_timeout", "request_body_timeout")) {
            assertTrue(scrape.contains("lb_rejected_total{reason=\"" + reason + "\"}"), reason + " missing");
        }
    }

    @Test
    void aBodyHeldBackByTheBalancerWhileTheBackendIsSlowToReadIsNotTimed() throws Exception {
        try (TestBackend backend = TestBackend.start("late-reader")) {
            // reads nothing of the body for twice the idle timeout, then echoes it
            backend.behave(request -> {
                request.pause();
                TestBackend.vertx().setTimer(2 * TIMEOUT_MILLIS, id -> {
                    request.resume();
                    Behaviours.echo().handle(request);
                });
            });
            Pools.use(pool, backend);
            byte[] body = new byte[32 * 1024 * 1024]; // far more than the sockets between client and backend hold
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(proxy.resolve("/big"))
                    .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode());
            assertEquals(body.length, response.body().length);
        }
    }

    private static java.util.concurrent.ScheduledFuture<?> trickle(RawHttp raw, String line) {
        return TRICKLE.scheduleAtFixedRate(() -> {
            try {
                raw.send(line);
            } catch (IOException closed) {
                throw new IllegalStateException(closed);
            }
        }, 200, 200, TimeUnit.MILLISECONDS);
    }

    private double rejected(String reason) {
        return Metrics.value(management, "lb_rejected_total", "reason=\"" + reason + "\"");
    }

    private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
