package io.lb.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;
import io.lb.config.BackendSpecParser;
import io.lb.testing.Behaviours;
import io.lb.testing.Metrics;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Failed tries go to another backend when that is safe, and only then. In each test the backend under fault
 * has weight 10 and the healthy one weight 1, so least connections deterministically tries the faulty one
 * first.
 */
@QuarkusTest
@TestProfile(RetryTestProfile.class)
class FailoverTest {

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    TestBackend faulty;
    TestBackend healthy;

    @TestHTTPResource("/")
    URI proxy;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    BackendPool pool;

    @BeforeEach
    void startBackends() {
        faulty = TestBackend.start("faulty");
        healthy = TestBackend.start("healthy");
        healthy.behave(Behaviours.echo());
        Pools.use(pool);
        pool.add(BackendSpecParser.parse(faulty.url() + ";weight=10"));
        pool.add(BackendSpecParser.parse(healthy.url() + ";weight=1"));
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
        faulty.close();
        healthy.close();
    }

    @Test
    void backendKilledMidRequestIsRetriedElsewhere() throws Exception {
        faulty.behave(Behaviours.hang());
        CompletableFuture<HttpResponse<String>> pending = client.sendAsync(get("/killed"), BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> faulty.inFlight() == 1);
        faulty.stop();
        HttpResponse<String> response = pending.get();
        assertEquals(200, response.statusCode());
        assertEquals("GET", response.headers().firstValue("X-Echo-Method").orElseThrow());
        assertEquals(1, healthy.requestCount());
    }

    @Test
    void postTheBackendMayHaveActedOnIsNotSentTwice() throws Exception {
        faulty.behave(Behaviours.hang());
        CompletableFuture<HttpResponse<String>> pending = client.sendAsync(HttpRequest.newBuilder(proxy.resolve("/pay"))
                .POST(BodyPublishers.ofString("amount=10")).build(), BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> faulty.inFlight() == 1);
        faulty.stop();
        HttpResponse<String> response = pending.get();
        assertEquals(502, response.statusCode());
        assertTrue(response.body().startsWith("502 Bad Gateway"), response.body());
        assertEquals(0, healthy.requestCount(), "the POST must not be replayed");
    }

    @Test
    void postRefusedAtConnectIsRetriedWithItsBody() throws Exception {
        faulty.stop();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.resolve("/orders"))
                .POST(BodyPublishers.ofString("{\"item\":42}")).build(), BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("{\"item\":42}", response.body());
        assertEquals("POST", healthy.lastRequest().method());
        assertEquals(BackendState.DOWN, Pools.backendOf(pool, faulty).state());
        assertTrue(Metrics.value(management, "lb_retries_total", "reason=\"connect\"") >= 1);
    }

    @Test
    void hungBackendCostsOnePerTryTimeoutThenAnotherBackendAnswers() throws Exception {
        faulty.behave(Behaviours.hang());
        long start = System.nanoTime();
        HttpResponse<String> response = client.send(get("/hung"), BodyHandlers.ofString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, response.statusCode());
        assertTrue(millis >= 400 && millis < 3_000, "took " + millis + " ms");
        assertTrue(Metrics.value(management, "lb_retries_total", "reason=\"timeout\"") >= 1);
    }

    @Test
    void idempotentRequestIsRetriedOnAConfiguredStatus() throws Exception {
        faulty.behave(Behaviours.status(503));
        HttpResponse<String> response = client.send(get("/status"), BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(1, faulty.requestCount());
    }

    @Test
    void aRetriedStatusWhoseBodyIsStillArrivingIsNotTheBackendsProtocolError() throws Exception {
        faulty.behave(request -> {
            request.response().setStatusCode(503).setChunked(true).write("the first part of the body");
            TestBackend.vertx().setTimer(100, ignored -> request.response().end(", and the rest"));
        });
        String tag = "backend=\"" + faulty.url() + "\"";
        HttpResponse<String> response = client.send(get("/status"), BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        Thread.sleep(300); // the rest of the discarded body arrives
        assertEquals(0, Metrics.value(management, "lb_backend_protocol_errors_total", tag,
                "kind=\"unsolicited_bytes\""), "the balancer gave the response up: its bytes are not unsolicited");
        assertEquals(0, Metrics.value(management, "lb_backend_protocol_errors_total", tag,
                "kind=\"bytes_after_response\""));
    }

    @Test
    void nonIdempotentRequestGetsTheStatusAsItIs() throws Exception {
        faulty.behave(Behaviours.status(503));
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.resolve("/status"))
                .POST(BodyPublishers.ofString("x")).build(), BodyHandlers.ofString());
        assertEquals(503, response.statusCode());
        assertEquals("status 503", response.body());
        assertEquals(0, healthy.requestCount());
    }

    @Test
    void bodyBeyondTheReplayBufferIsNotRetriedAndThatIsCounted() throws Exception {
        faulty.behave(Behaviours.closeAfterRequest());
        double before = Metrics.value(management, "lb_retries_abandoned_total", "reason=\"body_too_large\"");
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.resolve("/big"))
                .PUT(BodyPublishers.ofByteArray(new byte[256 * 1024])).build(), BodyHandlers.ofString());
        assertEquals(502, response.statusCode());
        assertEquals(0, healthy.requestCount());
        assertEquals(before + 1,
                Metrics.value(management, "lb_retries_abandoned_total", "reason=\"body_too_large\""));
    }

    @Test
    void bodyWithinTheReplayBufferIsReplayedWhole() throws Exception {
        faulty.behave(Behaviours.closeAfterRequest());
        byte[] body = new byte[48 * 1024];
        new java.util.Random(3).nextBytes(body);
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(proxy.resolve("/put"))
                .PUT(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        org.junit.jupiter.api.Assertions.assertArrayEquals(body, response.body());
    }

    @Test
    void everyTryFailingGivesA502() throws Exception {
        faulty.behave(Behaviours.closeAfterRequest());
        healthy.behave(Behaviours.closeAfterRequest());
        HttpResponse<String> response = client.send(get("/all-fail"), BodyHandlers.ofString());
        assertEquals(502, response.statusCode());
        assertEquals("502 Bad Gateway: the backend failed to answer (connection closed before the response)\n"
                + "request id: " + response.headers().firstValue("X-Request-Id").orElseThrow() + "\n", response.body());
        assertEquals(1, faulty.requestCount());
        assertEquals(1, healthy.requestCount());
    }

    @Test
    void everyTryTimingOutGivesA504() throws Exception {
        faulty.behave(Behaviours.hang());
        healthy.behave(Behaviours.hang());
        HttpResponse<String> response = client.send(get("/all-hang"), BodyHandlers.ofString());
        assertEquals(504, response.statusCode());
        assertEquals("504 Gateway Timeout: the backend did not answer in time\n"
                + "request id: " + response.headers().firstValue("X-Request-Id").orElseThrow() + "\n", response.body());
    }

    @Test
    void clientGoneWhileARetryIsPendingReleasesEverything() throws Exception {
        faulty.behave(Behaviours.hang());
        healthy.behave(Behaviours.hang());
        RawHttp raw = RawHttp.connect(proxy).send("GET /gone HTTP/1.1\r\nHost: t\r\n\r\n");
        // the first try times out after 400 ms, the retry then hangs on the other backend
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> healthy.inFlight() == 1);
        raw.abort();
        Pools.awaitAllIdle(pool);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> healthy.inFlight() == 0);
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(proxy.resolve(path)).timeout(Duration.ofSeconds(20)).build();
    }
}
