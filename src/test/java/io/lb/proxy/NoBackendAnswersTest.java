package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** When no backend can answer, the client hears so at once, in plain words, never through a hang. */
@QuarkusTest
class NoBackendAnswersTest {

    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void refusedConnectionGivesA502() throws Exception {
        TestBackend dead = TestBackend.start("dead");
        dead.stop();
        Pools.use(pool, dead);
        HttpResponse<String> response = send("/x");
        assertEquals(502, response.statusCode());
        assertEquals("text/plain; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(response.body().startsWith("502 Bad Gateway"), response.body());
        assertEquals(BackendState.DOWN, Pools.backendOf(pool, dead).state(), "passive detection marks it DOWN");
    }

    @Test
    void noBackendInThePoolGivesA503AtOnce() throws Exception {
        Pools.use(pool);
        long start = System.nanoTime();
        HttpResponse<String> response = send("/x");
        assertEquals(503, response.statusCode());
        assertEquals("503 Service Unavailable: no backend is available\n"
                + "request id: " + response.headers().firstValue("X-Request-Id").orElseThrow() + "\n", response.body());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos());
    }

    @Test
    void everyBackendDownGivesA503() throws Exception {
        TestBackend alive = TestBackend.start("alive");
        try {
            Pools.use(pool, alive);
            Pools.backendOf(pool, alive).transitionTo(BackendState.DOWN);
            HttpResponse<String> response = send("/x");
            assertEquals(503, response.statusCode());
            assertEquals(0, alive.requestCount());
        } finally {
            alive.close();
        }
    }

    private HttpResponse<String> send(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(proxy.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                BodyHandlers.ofString());
    }
}
