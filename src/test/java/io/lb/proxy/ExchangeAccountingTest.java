package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.testing.Behaviours;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.buffer.Buffer;

/**
 * Every active-connection count goes up once and down exactly once per exchange, whichever side ends it and
 * however: client aborts at each stage, backends that hang, close or cut their answer short.
 */
@QuarkusTest
class ExchangeAccountingTest {

    static TestBackend backend;

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @BeforeAll
    static void startBackend() {
        backend = TestBackend.start("acct");
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @BeforeEach
    void install() {
        backend.reset();
        Pools.use(pool, backend);
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void clientAbortWhileTheBackendIsThinking() throws Exception {
        backend.behave(Behaviours.hang());
        RawHttp raw = RawHttp.connect(proxy).send("GET /think HTTP/1.1\r\nHost: t\r\n\r\n");
        awaitActive(1);
        raw.abort();
        awaitActive(0);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.inFlight() == 0);
    }

    @Test
    void aClientLeavingBeforeTheAnswerIsNeitherTheBackendsFaultNorARetry() throws Exception {
        TestBackend other = TestBackend.start("acct-other");
        try {
            backend.behave(Behaviours.hang());
            other.behave(Behaviours.hang());
            Pools.use(pool, backend, other);
            RawHttp raw = RawHttp.connect(proxy).send("GET /think HTTP/1.1\r\nHost: t\r\n\r\n");
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> backend.requestCount() + other.requestCount() == 1);
            raw.abort();
            Pools.awaitAllIdle(pool);
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> backend.inFlight() == 0 && other.inFlight() == 0);
            assertEquals(1, backend.requestCount() + other.requestCount(), "the abort must not be retried");
            assertEquals(0, Pools.backendOf(pool, backend).consecutiveErrors());
            assertEquals(0, Pools.backendOf(pool, other).consecutiveErrors());
        } finally {
            other.close();
        }
    }

    @Test
    void clientAbortMidUpload() throws Exception {
        backend.behave(Behaviours.echo());
        RawHttp raw = RawHttp.connect(proxy)
                .send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n")
                .send(new byte[10_000]);
        awaitActive(1);
        raw.abort();
        awaitActive(0);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.inFlight() == 0);
    }

    @Test
    void clientAbortMidDownload() throws Exception {
        backend.behave(request -> {
            var response = request.response().setChunked(true);
            long timer = TestBackend.vertx().setPeriodic(5, id -> {
                if (!response.closed() && !response.writeQueueFull()) {
                    response.write(Buffer.buffer(new byte[16_384]));
                }
            });
            response.closeHandler(ignored -> TestBackend.vertx().cancelTimer(timer));
        });
        RawHttp raw = RawHttp.connect(proxy).send("GET /download HTTP/1.1\r\nHost: t\r\n\r\n");
        assertTrue(raw.readHead().startsWith("HTTP/1.1 200"));
        awaitActive(1);
        raw.abort();
        awaitActive(0);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.inFlight() == 0);
    }

    @Test
    void backendClosesWithoutAnswering() throws Exception {
        backend.behave(Behaviours.closeAfterRequest());
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String response = raw.send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi").readResponse();
            assertTrue(response.startsWith("HTTP/1.1 502"), response);
            assertTrue(response.contains("text/plain"), response);
        }
        assertEquals(0, active());
    }

    @Test
    void backendCutsItsBodyShortAndTheClientSeesAnIncompleteResponse() throws Exception {
        backend.behave(Behaviours.truncatedBody(100_000, 1_000));
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String response = raw.send("GET /cut HTTP/1.1\r\nHost: t\r\n\r\n").readUntilClosed();
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            int bodyStart = response.indexOf("\r\n\r\n") + 4;
            assertTrue(response.length() - bodyStart < 100_000, "the body must not look complete");
        }
        awaitActive(0);
    }

    @Test
    void backendCutsAChunkedBodyShortAndTheClientNeverSeesTheLastChunk() throws Exception {
        backend.behave(request -> {
            var response = request.response().setChunked(true);
            response.write("partial").onComplete(ignored -> request.connection().close());
        });
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String response = raw.send("GET /cut HTTP/1.1\r\nHost: t\r\n\r\n").readUntilClosed();
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertFalse(response.endsWith("0\r\n\r\n"), "a terminating chunk would present a cut body as whole");
        }
        awaitActive(0);
    }

    @Test
    void manyConcurrentExchangesAllEnd() throws Exception {
        backend.behave(Behaviours.slow("acct", 20));
        var client = java.net.http.HttpClient.newHttpClient();
        var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<?>>();
        for (int i = 0; i < 200; i++) {
            futures.add(client.sendAsync(java.net.http.HttpRequest.newBuilder(proxy.resolve("/c" + i)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()));
        }
        for (var future : futures) {
            future.get();
        }
        awaitActive(0);
        assertEquals(200, backend.requestCount());
    }

    private int active() {
        return Pools.backendOf(pool, backend).activeConnections();
    }

    private void awaitActive(int expected) {
        Backend tracked = Pools.backendOf(pool, backend);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> tracked.activeConnections() == expected);
    }
}
