package io.lb.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;

/** Idle and slow clients are closed by the idle timeout, and a connection cap bounds what they can hold. */
@QuarkusTest
@TestProfile(SlowClientsTest.ShortIdleTimeoutAndCap.class)
class SlowClientsTest {

    static final int CAP = 20;

    public static class ShortIdleTimeoutAndCap implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "1s", "quarkus.http.limits.max-connections", String.valueOf(CAP));
        }
    }

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void aClientThatStopsMidHeadersIsClosedByTheIdleTimeout() throws Exception {
        try (RawHttp raw = RawHttp.connect(proxy)) {
            raw.send("GET /slow HTTP/1.1\r\nHost: t\r\nX-Partial: ");
            long start = System.nanoTime();
            String answer = raw.readUntilClosed();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "closed after " + millis + " ms");
            assertTrue(!answer.contains("200"), answer);
        }
    }

    @Test
    void aKeptAliveConnectionLeftIdleIsClosedAfterTheIdleTimeoutAndNotBefore() throws Exception {
        try (TestBackend backend = TestBackend.start("idle"); RawHttp raw = RawHttp.connect(proxy)) {
            Pools.use(pool, backend);
            assertTrue(raw.send("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n").readResponse().startsWith("HTTP/1.1 200"));
            long answered = System.nanoTime();
            assertEquals("", raw.readUntilClosed());
            long millis = (System.nanoTime() - answered) / 1_000_000;
            assertTrue(millis >= 950 && millis < 2_500, "closed " + millis + " ms after its last response");
        }
    }

    @Test
    void aConnectionInUseOutlivesTheIdleTimeout() throws Exception {
        try (TestBackend backend = TestBackend.start("busy"); RawHttp raw = RawHttp.connect(proxy)) {
            Pools.use(pool, backend);
            long start = System.nanoTime();
            while (System.nanoTime() - start < Duration.ofMillis(3_000).toNanos()) {
                String answer = raw.send("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n").readResponse();
                assertTrue(answer.startsWith("HTTP/1.1 200"), "after " + (System.nanoTime() - start) / 1_000_000
                        + " ms of requests 300 ms apart: " + answer);
                Thread.sleep(300);
            }
        }
    }

    @Test
    void anHttp2ConnectionLeftIdleIsClosedAfterTheIdleTimeoutAndNotBefore() throws Exception {
        try (TestBackend backend = TestBackend.start("idle-h2")) {
            Pools.use(pool, backend);
            HttpClient h2 = TestBackend.vertx().createHttpClient(new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
            try {
                CompletableFuture<Long> closed = new CompletableFuture<>();
                h2.connectionHandler(connection -> connection.closeHandler(v -> closed.complete(System.nanoTime())));
                int status = h2.request(HttpMethod.GET, proxy.getPort(), proxy.getHost(), "/ok")
                        .compose(request -> request.send().compose(response -> response.body().map(response.statusCode())))
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertEquals(200, status);
                long answered = System.nanoTime();
                long millis = (closed.get(10, TimeUnit.SECONDS) - answered) / 1_000_000;
                assertTrue(millis >= 950 && millis < 2_500, "closed " + millis + " ms after its last response");
            } finally {
                h2.close();
            }
        }
    }

    @Test
    void idleConnectionsBeyondTheCapAreTurnedAwayAndCapacityComesBack() throws Exception {
        try (TestBackend backend = TestBackend.start("capped")) {
            Pools.use(pool, backend);
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < CAP + 5; i++) {
                    idle.add(new Socket(proxy.getHost(), proxy.getPort()));
                }
                Socket extra = idle.get(idle.size() - 1);
                extra.setSoTimeout(5_000);
                assertEquals(-1, readOrClosed(extra), "a connection over the cap is closed at once");
            } finally {
                for (Socket socket : idle) {
                    socket.close();
                }
            }
            // the idle ones are gone (closed by us or by the idle timeout): a real client is served again
            var deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String answer = "";
            while (System.nanoTime() < deadline && !answer.startsWith("HTTP/1.1 200")) {
                try (RawHttp raw = RawHttp.connect(proxy)) {
                    answer = raw.send("GET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").readUntilClosed();
                } catch (IOException e) {
                    answer = e.toString();
                }
            }
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
    }

    private static int readOrClosed(Socket socket) {
        try {
            return socket.getInputStream().read();
        } catch (IOException e) {
            return -1;
        }
    }
}
