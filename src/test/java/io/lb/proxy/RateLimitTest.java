package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Metrics;
import io.lb.testing.OptionalFeaturesProfile;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** A route's rate limit answers 429 with Retry-After beyond each client's burst; other routes are not limited. */
@QuarkusTest
@TestProfile(OptionalFeaturesProfile.class)
class RateLimitTest {

    static TestBackend backend;

    @TestHTTPResource("/")
    URI proxy;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    BackendPool pool;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        backend = TestBackend.start("limited");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        return client.send(HttpRequest.newBuilder(proxy.resolve(path)).header("X-Api-Key", key).build(),
                BodyHandlers.ofString());
    }

    @Test
    void beyondTheBurstAClientGets429WithRetryAfterAndTheBackendSeesNothing() throws Exception {
        Pools.use(pool, backend);
        double before = Metrics.value(management, "lb_rejected_total", "reason=\"rate_limited\"");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get("/limited/x", "alice").statusCode(), "request " + (i + 1) + " of the burst");
        }
        int served = backend.requestCount();
        HttpResponse<String> limited = get("/limited/x", "alice");
        assertEquals(429, limited.statusCode());
        assertTrue(limited.body().startsWith("429 Too Many Requests"), limited.body());
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 5, "one token every 5 s: " + retryAfter);
        assertEquals(served, backend.requestCount(), "a limited request reaches no backend");
        assertEquals(before + 1, Metrics.value(management, "lb_rejected_total", "reason=\"rate_limited\""));
        assertEquals(200, get("/limited/x", "bob").statusCode(), "another key has its own bucket");
        assertEquals(200, get("/elsewhere", "alice").statusCode(), "other routes are not limited");
    }
}
