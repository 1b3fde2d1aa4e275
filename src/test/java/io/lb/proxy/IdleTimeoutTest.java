package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Metrics;
import io.lb.testing.OptionalFeaturesProfile;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The backend idle timeout watches a response while it streams, and nothing after it ended. */
@QuarkusTest
@TestProfile(OptionalFeaturesProfile.class)
class IdleTimeoutTest {

    @TestHTTPResource("/")
    URI proxy;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    BackendPool pool;

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void aFinishedResponseLeavesNoTimerBehindOnItsPooledConnection() throws Exception {
        try (TestBackend backend = TestBackend.start("pooled")) {
            backend.behave(request -> {
                long delay = request.path().equals("/slow") ? 700 : 1;
                request.body().onComplete(ignored -> TestBackend.vertx().setTimer(delay,
                        id -> request.response().end(request.path())));
            });
            Pools.use(pool, backend);
            HttpClient client = HttpClient.newHttpClient();
            assertEquals("/fast", client.send(HttpRequest.newBuilder(proxy.resolve("/fast")).build(),
                    BodyHandlers.ofString()).body());
            // the same pooled backend connection, a POST (never retried) whose head comes after 700 ms:
            // a timer left by the first response would reset this connection at 300 ms
            HttpResponse<String> slow = client.send(HttpRequest.newBuilder(proxy.resolve("/slow"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), BodyHandlers.ofString());
            assertEquals(200, slow.statusCode(), slow.body());
            assertEquals("/slow", slow.body());
            assertEquals(2, backend.requestCount());
        }
    }

    @Test
    void aBackendThatGoesSilentMidBodyIsCutOffAndTheClientSeesAnIncompleteBody() throws Exception {
        try (TestBackend backend = TestBackend.start("silent")) {
            backend.behave(request -> request.response().putHeader("Content-Length", "1000").write("partial"));
            Pools.use(pool, backend);
            double before = Metrics.value(management, "lb_requests_total", "outcome=\"timeout\"");
            long start = System.nanoTime();
            try (RawHttp raw = RawHttp.connect(proxy)) {
                String answer = raw.send("GET /stall HTTP/1.1\r\nHost: t\r\n\r\n").readUntilClosed();
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                assertFalse(answer.endsWith("x".repeat(10)), answer);
                assertTrue(answer.length() < 1000, "the body must not look complete");
                assertTrue(millis >= 250 && millis < 5_000, "cut after " + millis + " ms");
            }
            assertEquals(before + 1, Metrics.value(management, "lb_requests_total", "outcome=\"timeout\""));
        }
    }
}
